package dev.iothub.emulator.cli;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * Parsing the standalone emulator's command line.
 */
class EmulatorOptionsTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void whenNoArgumentsThenTheDefaultsApply() {
        EmulatorOptions options = EmulatorOptions.parse();
        assertThat(options.mqttPort()).isEqualTo(8883);
        assertThat(options.webSocketPort()).isEqualTo(8443);
        assertThat(options.servicePort()).isEqualTo(8080);
        assertThat(options.devices()).containsExactly(entry("device-1", null));
        assertThat(options.caOut()).isNull();
        assertThat(options.hubName()).isEqualTo("localhost");
        assertThat(options.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(options.help()).isFalse();
    }

    @Test
    void whenEveryOptionIsGivenThenEachIsTaken() {
        EmulatorOptions options = EmulatorOptions.parse("--mqtt-port", "0", "--ws-port", "443", "--service-port=9090",
                "--ca-out", "ca.pem", "--hub-name", "127.0.0.1", "--bind", "0.0.0.0");
        assertThat(options.mqttPort()).isZero();
        assertThat(options.webSocketPort()).isEqualTo(443);
        assertThat(options.servicePort()).isEqualTo(9090);
        assertThat(options.caOut()).isEqualTo(Path.of("ca.pem"));
        assertThat(options.hubName()).isEqualTo("127.0.0.1");
        assertThat(options.bindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void whenDevicesAreRepeatedThenAllAreKeptInOrderWithTheirKeys() {
        EmulatorOptions options = EmulatorOptions.parse("--device", "thermostat:" + KEY, "--device", "lamp");
        assertThat(options.devices()).containsExactly(entry("thermostat", KEY), entry("lamp", null));
    }

    @Test
    void whenTheWebSocketPortIsZeroOrMinusOneThenItPicksAFreePortOrTurnsTheEndpointOff() {
        assertThat(EmulatorOptions.parse("--ws-port", "0").webSocketPort()).isZero();
        assertThat(EmulatorOptions.parse("--ws-port=-1").webSocketPort()).isEqualTo(-1);
        assertThat(EmulatorOptions.parse("--ws-port", "-1").webSocketPort()).isEqualTo(-1);
    }

    @Test
    void whenTheUsageIsPrintedThenItExplainsTheWebSocketDefault() {
        assertThat(EmulatorOptions.USAGE).contains("--ws-port PORT").contains("default 8443").contains("443")
            .contains("CAP_NET_BIND_SERVICE");
    }

    @Test
    void whenTlsNamesAreRepeatedThenAllAreKept() {
        assertThat(EmulatorOptions.parse().tlsNames()).isEmpty();
        assertThat(EmulatorOptions.parse("--tls-san", "10.88.0.1", "--tls-san=docker-host").tlsNames())
            .containsExactly("10.88.0.1", "docker-host");
    }

    @Test
    void whenHelpIsAskedThenItIsFlagged() {
        assertThat(EmulatorOptions.parse("--help").help()).isTrue();
    }

    @Test
    void whenAnArgumentIsBadThenParsingFailsWithAReason() {
        assertUsageError("Unknown option: --nope", "--nope", "x");
        assertUsageError("Unknown option: --nope", "--nope");
        assertUsageError("Missing value for --mqtt-port", "--mqtt-port");
        assertUsageError("--mqtt-port needs a port number", "--mqtt-port", "http");
        assertUsageError("--service-port needs a port number", "--service-port", "70000");
        assertUsageError("--ws-port needs a port number from 0 to 65535 (or -1 for off), not '-2'", "--ws-port", "-2");
        assertUsageError("--ws-port needs a port number", "--ws-port", "wss");
        assertUsageError("Missing value for --ws-port", "--ws-port");
        assertUsageError("--mqtt-port needs a port number from 0 to 65535, not '-1'", "--mqtt-port", "-1");
        assertUsageError("must be Base64", "--device", "d:not base64!");
        assertUsageError("given twice", "--device", "d", "--device", "d:" + KEY);
        assertUsageError("--device needs an id", "--device", ":" + KEY);
        assertUsageError("Unexpected argument: stray", "stray");
    }

    @Test
    void whenDpsOptionsAreGivenThenTheScopeEnrollmentsAndGroupsAreTakenInOrder() {
        EmulatorOptions defaults = EmulatorOptions.parse();
        assertThat(defaults.dpsIdScope()).isEqualTo("0ne00000000");
        assertThat(defaults.enrollments()).isEmpty();
        assertThat(defaults.enrollmentGroups()).isEmpty();
        EmulatorOptions options = EmulatorOptions.parse("--dps-id-scope", "0ne0000ABCD", "--enrollment",
                "sensor-1:" + KEY, "--enrollment=sensor-2", "--enrollment-group", "fleet:" + KEY);
        assertThat(options.dpsIdScope()).isEqualTo("0ne0000ABCD");
        assertThat(options.enrollments()).containsExactly(entry("sensor-1", KEY), entry("sensor-2", null));
        assertThat(options.enrollmentGroups()).containsExactly(entry("fleet", KEY));
    }

    @Test
    void whenADpsOptionIsBadThenParsingFailsWithAReason() {
        assertUsageError("--dps-id-scope needs a scope without '/'", "--dps-id-scope", "a/b");
        assertUsageError("The key of enrollment e must be Base64", "--enrollment", "e:not base64!");
        assertUsageError("Enrollment group g is given twice", "--enrollment-group", "g", "--enrollment-group", "g");
        assertUsageError("--enrollment needs an id", "--enrollment", ":" + KEY);
    }

    private static void assertUsageError(String reason, String... args) {
        assertThatExceptionOfType(EmulatorOptions.UsageException.class).isThrownBy(() -> EmulatorOptions.parse(args))
            .withMessageContaining(reason);
    }
}
