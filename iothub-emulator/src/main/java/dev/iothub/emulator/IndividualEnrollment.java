package dev.iothub.emulator;

import org.jspecify.annotations.Nullable;

/**
 * An individual enrollment of the emulator's Device Provisioning Service: one registration id that attests with a
 * symmetric key or with a self-signed X.509 certificate (by its SHA-256 thumbprint). {@link #toString()} hides the
 * key.
 *
 * @param registrationId the registration id, which is also the device id assigned at the hub
 * @param primaryKey the symmetric key (Base64), or {@code null} for X.509 attestation
 * @param certificateThumbprint the certificate's SHA-256 thumbprint (lower-case hexadecimal), or {@code null} for
 * symmetric key attestation
 * @param enabled whether the enrollment may register; a disabled one answers {@code disabled}
 * @param iotHubHostName the hub the device is assigned to (DPS's {@code iotHubHostName}), or {@code null} for the
 * emulator's own hub, which then registers the device; another hub must know the device already
 */
public record IndividualEnrollment(String registrationId, @Nullable String primaryKey,
        @Nullable String certificateThumbprint, boolean enabled, @Nullable String iotHubHostName) {

    @Override
    public String toString() {
        return "IndividualEnrollment[" + this.registrationId + ((this.primaryKey != null) ? ", symmetricKey" : ", x509")
                + (this.enabled ? "" : ", disabled")
                + ((this.iotHubHostName != null) ? ", hub " + this.iotHubHostName : "") + "]";
    }
}
