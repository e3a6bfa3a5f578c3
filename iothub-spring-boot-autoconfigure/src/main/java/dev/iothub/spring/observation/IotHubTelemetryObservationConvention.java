package dev.iothub.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of {@link IotHubObservation#TELEMETRY_SEND}; implement it as a bean (or a
 * {@code GlobalObservationConvention}) to change names and tags.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public interface IotHubTelemetryObservationConvention extends ObservationConvention<IotHubTelemetrySenderContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IotHubTelemetrySenderContext;
    }

    @Override
    default String getName() {
        return "iothub.telemetry.send";
    }

}
