package dev.iothub.sample.thermostat;

// tag::imports[]
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;

import dev.iothub.spring.testcontainers.IotHubEmulatorContainer;
// end::imports[]

/**
 * The emulator's container as the thermostat's IoT Hub, for {@link TestThermostatApplication}: Spring Boot starts it
 * with the application, connects the application through {@code @ServiceConnection} and stops it on shutdown. Off
 * with the profile {@code embedded-emulator}, which runs the application against the in-process emulator instead.
 */
// tag::containers[]
@TestConfiguration(proxyBeanMethods = false)
@Profile("!embedded-emulator")
class ContainersConfiguration {

    private static final Log logger = LogFactory.getLog(ContainersConfiguration.class);

    @Bean
    @ServiceConnection
    IotHubEmulatorContainer iotHubEmulator() {
        return new IotHubEmulatorContainer().withDevice("thermostat");
    }

    // The container's REST API wants a service SAS token: the hint carries one of the throwaway emulator's.
    @Bean
    ApplicationRunner announceEmulator(IotHubEmulatorContainer hub) {
        return (args) -> logger.info("IoT Hub emulator container: REST API at " + hub.getRestBaseUri()
                + "; invoke a direct method with (the token is valid for 30 minutes):" + System.lineSeparator()
                + "  curl -X POST " + hub.getRestBaseUri() + "/twins/thermostat/methods -H 'Content-Type: "
                + "application/json' -H 'Authorization: " + hub.getServiceClient().authorization() + "'"
                + " -d '{\"methodName\":\"reboot\",\"payload\":{},\"responseTimeoutInSeconds\":10}'");
    }
}
// end::containers[]
