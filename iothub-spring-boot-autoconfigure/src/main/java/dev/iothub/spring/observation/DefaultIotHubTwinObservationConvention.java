package dev.iothub.spring.observation;

import io.micrometer.common.KeyValues;

import dev.iothub.spring.observation.IotHubObservation.LowCardinalityKeys;

/**
 * The default {@link IotHubTwinObservationConvention}: device, module, operation and status.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class DefaultIotHubTwinObservationConvention implements IotHubTwinObservationConvention {

    /** A shared instance. */
    public static final DefaultIotHubTwinObservationConvention INSTANCE = new DefaultIotHubTwinObservationConvention();

    @Override
    public KeyValues getLowCardinalityKeyValues(IotHubTwinRequestContext context) {
        return KeyValues.of(LowCardinalityKeys.DEVICE.withValue(context.getDeviceId()),
                LowCardinalityKeys.MODULE.withValue(Identities.module(context.getModuleId())),
                LowCardinalityKeys.TWIN_OPERATION.withValue(context.getOperation()),
                LowCardinalityKeys.STATUS.withValue(context.getStatus()));
    }

    @Override
    public String getContextualName(IotHubTwinRequestContext context) {
        return "twin " + context.getOperation();
    }

}
