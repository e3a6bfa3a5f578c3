package dev.iothub.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import org.jspecify.annotations.Nullable;

import dev.iothub.spring.observation.IotHubHandlerContext;
import dev.iothub.spring.observation.IotHubTelemetryOutcome;
import dev.iothub.spring.observation.IotHubTelemetrySenderContext;
import dev.iothub.spring.observation.IotHubTwinRequestContext;

/**
 * Records the IoT Hub meters from the connection's observations: {@code iothub.telemetry.sent},
 * {@code iothub.telemetry.latency}, {@code iothub.methods}, {@code iothub.c2d.received} and
 * {@code iothub.twin.requests}. Their names and tags do not depend on the observation conventions, so that
 * dashboards keep working when a convention is replaced.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubMeterObservationHandler implements ObservationHandler<Observation.Context> {

    private final MeterRegistry registry;

    /**
     * Creates a handler.
     *
     * @param registry where the meters go
     */
    public IotHubMeterObservationHandler(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof IotHubTelemetrySenderContext || context instanceof IotHubHandlerContext
                || context instanceof IotHubTwinRequestContext;
    }

    @Override
    public void onStart(Observation.Context context) {
        context.put(Timer.Sample.class, Timer.start(this.registry));
    }

    @Override
    public void onStop(Observation.Context context) {
        Timer.Sample sample = context.getRequired(Timer.Sample.class);
        if (context instanceof IotHubTelemetrySenderContext telemetry) {
            stopTelemetry(sample, telemetry);
        }
        else if (context instanceof IotHubHandlerContext handler) {
            stopHandler(sample, handler);
        }
        else if (context instanceof IotHubTwinRequestContext twin) {
            sample.stop(Timer.builder("iothub.twin.requests")
                .description("Twin requests, from publish to the hub's answer")
                .tags(identity(twin.getDeviceId(), twin.getModuleId()))
                .tag("operation", twin.getOperation())
                .tag("status", twin.getStatus())
                .register(this.registry));
        }
    }

    private void stopTelemetry(Timer.Sample sample, IotHubTelemetrySenderContext context) {
        Tags identity = identity(context.getDeviceId(), context.getModuleId());
        IotHubTelemetryOutcome outcome = (context.getOutcome() != null) ? context.getOutcome()
                : IotHubTelemetryOutcome.FAILED;
        this.registry.counter("iothub.telemetry.sent", identity.and("outcome", outcome.tagValue())).increment();
        if (outcome == IotHubTelemetryOutcome.ACKNOWLEDGED) {
            sample.stop(Timer.builder("iothub.telemetry.latency")
                .description("Time from send to the hub's acknowledgement (PUBACK)")
                .tags(identity)
                .register(this.registry));
        }
    }

    private void stopHandler(Timer.Sample sample, IotHubHandlerContext context) {
        Tags identity = identity(context.getDeviceId(), context.getModuleId());
        switch (context.getKind()) {
            case DIRECT_METHOD -> sample.stop(Timer.builder("iothub.methods")
                .description("Direct-method invocations, from the request to the handler's answer")
                .tags(identity)
                .tag("method", context.getHandlerName())
                .tag("status", context.getStatus())
                .register(this.registry));
            case CLOUD_TO_DEVICE -> this.registry
                .counter("iothub.c2d.received", identity.and("outcome", context.getStatus()))
                .increment();
            case DESIRED_PROPERTIES -> {
                // observed only: a desired-properties update has no meter of its own
            }
        }
    }

    static Tags identity(String deviceId, @Nullable String moduleId) {
        return Tags.of("device", deviceId, "module", (moduleId != null) ? moduleId : "none");
    }

}
