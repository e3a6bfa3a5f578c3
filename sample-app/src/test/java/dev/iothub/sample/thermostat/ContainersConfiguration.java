package dev.iothub.sample.thermostat;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

import dev.iothub.spring.testcontainers.IotHubEmulatorContainer;

/**
 * The emulator's container as the thermostat's IoT Hub, for {@link TestThermostatApplication}: Spring Boot starts it
 * with the application, connects the application through {@code @ServiceConnection} and stops it on shutdown.
 */
// tag::containers[]
@TestConfiguration(proxyBeanMethods = false)
class ContainersConfiguration {

    private static final Log logger = LogFactory.getLog(ContainersConfiguration.class);

    @Bean
    @ServiceConnection
    IotHubEmulatorContainer iotHubEmulator() {
        return new IotHubEmulatorContainer().withDevice("thermostat");
    }

    @Bean
    ApplicationRunner announceEmulator(IotHubEmulatorContainer hub) {
        return (args) -> logger.info("IoT Hub emulator container: REST API at " + hub.getRestBaseUri()
                + ", e.g. curl " + hub.getRestBaseUri() + "/twins/thermostat");
    }
}
// end::containers[]
