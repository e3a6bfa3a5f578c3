package dev.iothub.emulator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulator warns when its service API is reachable beyond the host without authentication.
 */
class ServiceApiExposureTests {

    @Test
    void whenBoundBeyondLoopbackWithoutAuthenticationThenTheStartWarns() {
        try (LogCapture log = LogCapture.of(IotHubEmulator.class);
                IotHubEmulator hub = IotHubEmulator.builder().bindAddress("0.0.0.0").webSocketPort(-1)
                    .serviceHttpsPort(-1).serviceAuthenticationRequired(false).start()) {
            assertThat(log.messages()).anyMatch((message) -> message.contains("without authentication"));
        }
    }

    @Test
    void whenBoundBeyondLoopbackWithDefaultsThenAuthenticationIsRequiredAndNothingIsWarned() {
        try (LogCapture log = LogCapture.of(IotHubEmulator.class);
                IotHubEmulator hub = IotHubEmulator.builder().bindAddress("0.0.0.0").webSocketPort(-1)
                    .serviceHttpsPort(-1).start()) {
            assertThat(log.messages()).noneMatch((message) -> message.contains("without authentication"));
        }
    }
}
