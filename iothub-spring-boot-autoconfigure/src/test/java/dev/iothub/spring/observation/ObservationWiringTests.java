package dev.iothub.spring.observation;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

/**
 * The auto-configuration hands the application's observation registry and conventions to the templates.
 */
class ObservationWiringTests {

    private static final String CONNECTION_STRING = "HostName=localhost;DeviceId=dev1;SharedAccessKey="
            + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    // Port 1 on loopback refuses at once, so contexts start without a hub and without waiting.
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.port=1",
                "iothub.connect-timeout=2s")
        .withBean(TestObservationRegistry.class, TestObservationRegistry::create);

    @Test
    void whenAConventionBeanExistsThenTelemetryIsObservedWithIt() {
        this.contextRunner.withUserConfiguration(TelemetryObservationConfiguration.class).run((context) -> {
            context.getBean(IotHubTelemetryTemplate.class).send(new byte[300 * 1024]);
            TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                .hasSingleObservationThat()
                .hasNameEqualTo("factory.telemetry")
                .hasLowCardinalityKeyValue("iothub.outcome", "rejected")
                .hasBeenStopped();
        });
    }

}
