package dev.iothub.spring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.metrics.IotHubConnectionMetrics;
import dev.iothub.spring.metrics.IotHubMeterObservationHandler;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the IoT Hub meters, when Micrometer is on the class path and
 * a {@link MeterRegistry} bean exists. The message and handler meters are recorded from the connection's
 * observations, so they need the application's {@code ObservationRegistry} (Spring Boot's actuator provides one).
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(after = IotHubAutoConfiguration.class,
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, IotHubClientManager.class })
@ConditionalOnBean({ MeterRegistry.class, IotHubClientManager.class })
public final class IotHubMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IotHubConnectionMetrics iotHubConnectionMetrics(IotHubClientManager clientManager) {
        return new IotHubConnectionMetrics(clientManager);
    }

    @Bean
    @ConditionalOnMissingBean
    IotHubMeterObservationHandler iotHubMeterObservationHandler(MeterRegistry meterRegistry) {
        return new IotHubMeterObservationHandler(meterRegistry);
    }

}
