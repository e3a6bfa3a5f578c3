package dev.iothub.spring.observation;

import java.util.Map;

import io.micrometer.observation.transport.SenderContext;
import org.jspecify.annotations.Nullable;

/**
 * The observation context of one telemetry send, from {@code send} to the hub's acknowledgement or the failure. Its
 * carrier is the message's application properties: with trace-context propagation on, a tracer writes
 * {@code traceparent} (and {@code tracestate}) into them.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubTelemetrySenderContext extends SenderContext<Map<String, String>> {

    private final String deviceId;

    private final @Nullable String moduleId;

    private @Nullable IotHubTelemetryOutcome outcome;

    /**
     * Creates a context.
     *
     * @param properties the message's property bag, written to only when {@code propagate}
     * @param propagate whether a tracer may add its headers to the properties
     * @param hostName the hub
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     */
    public IotHubTelemetrySenderContext(Map<String, String> properties, boolean propagate, String hostName,
            String deviceId, @Nullable String moduleId) {
        super(propagate ? (carrier, key, value) -> {
            if (carrier != null) {
                carrier.put(key, value);
            }
        } : (carrier, key, value) -> {
        });
        setCarrier(properties);
        setRemoteServiceName("iothub");
        setRemoteServiceAddress(hostName);
        this.deviceId = deviceId;
        this.moduleId = moduleId;
    }

    public String getDeviceId() {
        return this.deviceId;
    }

    public @Nullable String getModuleId() {
        return this.moduleId;
    }

    /** How the send ended; {@code null} while it is in flight. */
    public @Nullable IotHubTelemetryOutcome getOutcome() {
        return this.outcome;
    }

    public void setOutcome(IotHubTelemetryOutcome outcome) {
        this.outcome = outcome;
    }

}
