package dev.iothub.emulator.cli;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * Devices and certificate names declared by environment variable, as a container does.
 */
class EnvironmentArgumentsTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void whenDevicesAreDeclaredByEnvironmentThenEachBecomesADevice() {
        String[] args = EnvironmentArguments.prepend(
                Map.of(EnvironmentArguments.DEVICES, "thermostat, sensor-2:" + KEY + ",,"), "--device", "lamp");
        assertThat(EmulatorOptions.parse(args).devices()).containsExactly(entry("thermostat", null),
                entry("sensor-2", KEY), entry("lamp", null));
    }

    @Test
    void whenTlsNamesAreDeclaredByEnvironmentThenTheyAreTaken() {
        String[] args = EnvironmentArguments.prepend(Map.of(EnvironmentArguments.TLS_SANS, "10.88.0.1,docker-host"));
        assertThat(EmulatorOptions.parse(args).tlsNames()).containsExactly("10.88.0.1", "docker-host");
    }

    @Test
    void whenTheEnvironmentIsEmptyThenTheArgumentsAreUnchanged() {
        assertThat(EnvironmentArguments.prepend(Map.of(), "--bind", "0.0.0.0")).containsExactly("--bind", "0.0.0.0");
        assertThat(EmulatorOptions.parse(EnvironmentArguments.prepend(Map.of())).devices())
            .containsOnlyKeys(EmulatorOptions.DEFAULT_DEVICE);
    }

    @Test
    void whenAnEnvironmentDeviceIsBadThenParsingFails() {
        String[] args = EnvironmentArguments.prepend(Map.of(EnvironmentArguments.DEVICES, "d:not base64!"));
        assertThatExceptionOfType(EmulatorOptions.UsageException.class)
            .isThrownBy(() -> EmulatorOptions.parse(args))
            .withMessageContaining("must be Base64");
    }
}
