package dev.iothub.emulator.hub;

import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.protocol.SystemProperties;
import org.jspecify.annotations.Nullable;

/**
 * Turns a device's telemetry into the message the service sees: the property bag split into application and system
 * properties, the hub's own system properties (identity, authentication, enqueued time, model id) stamped, and the
 * result added to the {@link TelemetryLog}.
 */
final class TelemetryReceiver {

    private final DeviceRegistry registry;

    private final TelemetryLog log;

    private final Clock clock;

    TelemetryReceiver(DeviceRegistry registry, TelemetryLog log, Clock clock) {
        this.registry = registry;
        this.log = log;
        this.clock = clock;
    }

    void receive(DeviceIdentity identity, byte[] body, Map<String, @Nullable String> bag, boolean retain) {
        Map<String, @Nullable String> properties = new LinkedHashMap<>();
        Map<String, @Nullable String> system = new LinkedHashMap<>();
        bag.forEach((key, value) -> {
            if (SystemProperties.isSystemProperty(key)) {
                system.put(SystemProperties.serviceName(key), value);
            }
            else {
                properties.put(key, value);
            }
        });
        if (retain) {
            properties.put("mqtt-retain", "true");
        }
        Instant now = this.clock.instant();
        system.put("iothub-connection-device-id", identity.deviceId());
        if (identity.moduleId() != null) {
            system.put("iothub-connection-module-id", identity.moduleId());
        }
        String authType = "sas";
        String modelId = null;
        DeviceState state = this.registry.get(identity.id());
        if (state != null) {
            synchronized (state) {
                authType = (state.authType() != null) ? state.authType() : authType;
                modelId = state.modelId();
            }
        }
        system.put("iothub-connection-auth-method", Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode()
            .put("scope", "device")
            .put("type", authType)
            .put("issuer", "iothub")));
        system.put("iothub-enqueuedtime", now.toString());
        if (modelId != null) {
            system.put("dt-dataschema", modelId);
        }
        this.log.add(identity.id(), (sequence) -> new ReceivedTelemetry(identity.deviceId(), identity.moduleId(), body,
                Collections.unmodifiableMap(properties), Collections.unmodifiableMap(system), now, sequence));
    }
}
