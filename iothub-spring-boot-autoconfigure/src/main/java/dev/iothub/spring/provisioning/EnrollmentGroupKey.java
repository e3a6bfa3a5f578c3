package dev.iothub.spring.provisioning;

import dev.iothub.protocol.SasToken;

/**
 * The key derivation of symmetric-key enrollment groups.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public final class EnrollmentGroupKey {

    private EnrollmentGroupKey() {
    }

    /**
     * The device key of a registration in an enrollment group: {@code Base64(HMAC-SHA256(Base64Decode(groupKey),
     * UTF-8(registrationId)))}, as the Azure CLI's {@code az iot dps enrollment-group compute-device-key} computes it.
     *
     * @param groupKey the group's Base64 primary or secondary key
     * @param registrationId the device's registration id
     * @return the Base64 device key
     */
    public static String deriveDeviceKey(String groupKey, String registrationId) {
        return SasToken.sign(groupKey, registrationId);
    }

}
