package dev.iothub.spring.observation;

import io.micrometer.common.KeyValues;

import dev.iothub.spring.observation.IotHubObservation.LowCardinalityKeys;

/**
 * The default {@link IotHubHandlerObservationConvention}: device, module, handler kind and name, status.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class DefaultIotHubHandlerObservationConvention implements IotHubHandlerObservationConvention {

    /** A shared instance. */
    public static final DefaultIotHubHandlerObservationConvention INSTANCE =
            new DefaultIotHubHandlerObservationConvention();

    @Override
    public KeyValues getLowCardinalityKeyValues(IotHubHandlerContext context) {
        return KeyValues.of(LowCardinalityKeys.DEVICE.withValue(context.getDeviceId()),
                LowCardinalityKeys.MODULE.withValue(Identities.module(context.getModuleId())),
                LowCardinalityKeys.HANDLER_KIND.withValue(context.getKind().tagValue()),
                LowCardinalityKeys.HANDLER_NAME.withValue(context.getHandlerName()),
                LowCardinalityKeys.STATUS.withValue(context.getStatus()));
    }

    @Override
    public String getContextualName(IotHubHandlerContext context) {
        return (context.getKind() == IotHubHandlerContext.Kind.DIRECT_METHOD)
                ? "direct method " + context.getHandlerName() : context.getKind().tagValue();
    }

}
