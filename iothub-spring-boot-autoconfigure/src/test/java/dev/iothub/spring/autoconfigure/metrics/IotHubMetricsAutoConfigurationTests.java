package dev.iothub.spring.autoconfigure.metrics;

import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.metrics.IotHubConnectionMetrics;
import dev.iothub.spring.metrics.IotHubMeterObservationHandler;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IotHubMetricsAutoConfiguration}.
 */
class IotHubMetricsAutoConfigurationTests {

    private static final String CONNECTION_STRING = "HostName=localhost;DeviceId=dev1;SharedAccessKey="
            + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    // Port 1 on loopback refuses at once, so contexts start without a hub and without waiting.
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class, IotHubMetricsAutoConfiguration.class,
                ObservationAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.port=1",
                "iothub.connect-timeout=2s");

    @Test
    void whenAMeterRegistryExistsThenTheConnectionMetersAreBound() {
        this.contextRunner.withBean(SimpleMeterRegistry.class).run((context) -> {
            assertThat(context).hasSingleBean(IotHubConnectionMetrics.class)
                .hasSingleBean(IotHubMeterObservationHandler.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            context.getBean(IotHubConnectionMetrics.class).bindTo(registry);
            assertThat(registry.get("iothub.connection.connected").tags("device", "dev1", "module", "none").gauge()
                .value()).isZero();
            assertThat(registry.get("iothub.sas.renewals").counter().count()).isZero();
            assertThat(registry.find("iothub.telemetry.buffer.size").gauge()).as("memory buffer").isNull();
        });
    }

    @Test
    void whenTheBufferIsOnDiskThenItsMetersAreBound(@TempDir Path buffer) {
        this.contextRunner.withBean(SimpleMeterRegistry.class)
            .withPropertyValues("iothub.buffer.type=disk", "iothub.buffer.directory=" + buffer)
            .run((context) -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                context.getBean(IotHubConnectionMetrics.class).bindTo(registry);
                assertThat(registry.get("iothub.telemetry.buffer.size").gauge().value()).isZero();
                assertThat(registry.get("iothub.telemetry.buffer.bytes").gauge().value()).isZero();
                assertThat(registry.get("iothub.telemetry.buffer.dropped").functionCounter().count()).isZero();
            });
    }

    @Test
    void whenNoMeterRegistryExistsThenNoMeterBeans() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(IotHubConnectionMetrics.class)
            .doesNotHaveBean(IotHubMeterObservationHandler.class));
    }

    @Test
    void whenMicrometerCoreIsAbsentThenTheConnectionStartsWithoutMeters() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(IotHubClientManager.class)
                .hasSingleBean(IotHubTelemetryTemplate.class)
                .doesNotHaveBean(IotHubConnectionMetrics.class));
    }

}
