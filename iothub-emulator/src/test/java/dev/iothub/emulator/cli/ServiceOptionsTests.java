package dev.iothub.emulator.cli;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The standalone emulator's service API options: the HTTPS port, authentication and the policy key.
 */
class ServiceOptionsTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void whenNoServiceOptionsAreGivenThenHttpsIsOffAndAuthenticationFollowsTheBindAddress() {
        EmulatorOptions options = EmulatorOptions.parse();
        assertThat(options.serviceHttpsPort()).isEqualTo(-1);
        assertThat(options.serviceAuthentication()).isNull();
        assertThat(options.serviceKey()).isNull();
    }

    @Test
    void whenServiceOptionsAreGivenThenEachIsTaken() {
        EmulatorOptions options = EmulatorOptions.parse("--service-https-port", "443", "--service-auth=required",
                "--service-key", KEY);
        assertThat(options.serviceHttpsPort()).isEqualTo(443);
        assertThat(options.serviceAuthentication()).isEqualTo("required");
        assertThat(options.serviceKey()).isEqualTo(KEY);
    }

    @Test
    void whenTheAuthenticationModeIsUnknownThenTheUsageErrorNamesTheChoices() {
        assertThatExceptionOfType(EmulatorOptions.UsageException.class)
            .isThrownBy(() -> EmulatorOptions.parse("--service-auth", "maybe"))
            .withMessageContaining("required, optional");
    }

    @Test
    void whenTheEnvironmentHasAServiceKeyThenItBecomesTheOption() {
        assertThat(EnvironmentArguments.prepend(Map.of(EnvironmentArguments.SERVICE_KEY, KEY)))
            .containsExactly("--service-key", KEY);
    }
}
