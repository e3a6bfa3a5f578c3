package dev.iothub.spring.observation;

import io.micrometer.common.KeyValues;

import dev.iothub.spring.observation.IotHubObservation.LowCardinalityKeys;

/**
 * The default {@link IotHubTelemetryObservationConvention}: device, module and outcome.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class DefaultIotHubTelemetryObservationConvention implements IotHubTelemetryObservationConvention {

    /** A shared instance. */
    public static final DefaultIotHubTelemetryObservationConvention INSTANCE =
            new DefaultIotHubTelemetryObservationConvention();

    @Override
    public KeyValues getLowCardinalityKeyValues(IotHubTelemetrySenderContext context) {
        IotHubTelemetryOutcome outcome = context.getOutcome();
        return KeyValues.of(LowCardinalityKeys.DEVICE.withValue(context.getDeviceId()),
                LowCardinalityKeys.MODULE.withValue(Identities.module(context.getModuleId())),
                LowCardinalityKeys.OUTCOME.withValue((outcome != null) ? outcome.tagValue() : "unknown"));
    }

    @Override
    public String getContextualName(IotHubTelemetrySenderContext context) {
        return "telemetry send";
    }

}
