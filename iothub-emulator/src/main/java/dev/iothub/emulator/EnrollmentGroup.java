package dev.iothub.emulator;

import dev.iothub.protocol.SasToken;

/**
 * A symmetric-key enrollment group of the emulator's Device Provisioning Service: any registration id may register
 * with the key derived from the group key ({@link #deviceKey(String)}). {@link #toString()} hides the key.
 *
 * @param groupId the enrollment group id
 * @param primaryKey the group key (Base64)
 * @param enabled whether the group's devices may register; when disabled they are answered {@code disabled}
 */
public record EnrollmentGroup(String groupId, String primaryKey, boolean enabled) {

    /** The device key of a registration id in this group: Base64(HMAC-SHA256(group key, registration id)). */
    public String deviceKey(String registrationId) {
        return SasToken.sign(this.primaryKey, registrationId);
    }

    @Override
    public String toString() {
        return "EnrollmentGroup[" + this.groupId + (this.enabled ? "" : ", disabled") + "]";
    }
}
