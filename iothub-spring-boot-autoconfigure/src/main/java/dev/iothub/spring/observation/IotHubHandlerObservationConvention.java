package dev.iothub.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of {@link IotHubObservation#HANDLER}; implement it as a bean (or a
 * {@code GlobalObservationConvention}) to change names and tags.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public interface IotHubHandlerObservationConvention extends ObservationConvention<IotHubHandlerContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof IotHubHandlerContext;
    }

    @Override
    default String getName() {
        return "iothub.handler";
    }

}
