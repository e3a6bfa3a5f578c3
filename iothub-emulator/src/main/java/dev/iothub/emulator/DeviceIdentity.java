package dev.iothub.emulator;

import dev.iothub.protocol.MqttUsername;
import org.jspecify.annotations.Nullable;

/**
 * A device or module identity registered in the emulator. {@link #toString()} hides the keys.
 *
 * @param deviceId the device id
 * @param moduleId the module id, or {@code null} for a device identity
 * @param primaryKey the primary symmetric key (Base64)
 * @param secondaryKey the secondary symmetric key (Base64)
 */
public record DeviceIdentity(String deviceId, @Nullable String moduleId, String primaryKey, String secondaryKey) {

    /** The identity's id on the wire: {@code deviceId} or {@code deviceId/moduleId} (the MQTT client id). */
    public String id() {
        return MqttUsername.clientId(this.deviceId, this.moduleId);
    }

    @Override
    public String toString() {
        return "DeviceIdentity[" + id() + "]";
    }
}
