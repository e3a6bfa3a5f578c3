package dev.iothub.spring.provisioning;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EnrollmentGroupKey}, against vectors computed with Python's {@code hmac}:
 * {@code base64.b64encode(hmac.new(base64.b64decode(key), b"device-1", hashlib.sha256).digest())}.
 */
class EnrollmentGroupKeyTests {

    private static final String GROUP_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void derivesTheDeviceKeyAsHmacSha256OfTheRegistrationId() {
        assertThat(EnrollmentGroupKey.deriveDeviceKey(GROUP_KEY, "device-1"))
            .isEqualTo("Eu7kN3JptMf4k67iYGIwbYZEp1AVKs2DJX0LIoZO62w=");
        assertThat(EnrollmentGroupKey.deriveDeviceKey(GROUP_KEY, "sensor-42"))
            .isEqualTo("Kkydds92Sqo8uW/MHu0DBFEq1dYYhaDDy2GgVVnVF1s=");
    }

}
