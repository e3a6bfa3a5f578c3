package dev.iothub.spring.observation;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The README's convention snippet, as written.
 */
@Configuration
class TelemetryObservationConfiguration {

    @Bean
    IotHubTelemetryObservationConvention telemetryConvention() {
        return new DefaultIotHubTelemetryObservationConvention() {

            @Override
            public String getName() {
                return "factory.telemetry";
            }

        };
    }

}
