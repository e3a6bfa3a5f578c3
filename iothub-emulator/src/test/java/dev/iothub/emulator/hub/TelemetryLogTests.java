package dev.iothub.emulator.hub;

import java.time.Instant;
import java.util.Map;

import dev.iothub.emulator.ReceivedTelemetry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The telemetry log keeps the newest messages within both its count and its byte limit.
 */
class TelemetryLogTests {

    @Test
    void whenTheBytesExceedTheLimitThenTheOldestMessagesAreDropped() {
        TelemetryLog log = new TelemetryLog(100, 1024 * 1024);
        for (int i = 0; i < 10; i++) {
            log.add(message(i, 300 * 1024));
        }
        assertThat(log.find((message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("7", "8", "9");
        assertThat(log.bytes()).isLessThanOrEqualTo(1024 * 1024);
    }

    @Test
    void whenTheCountExceedsTheLimitThenTheOldestMessagesAreDropped() {
        TelemetryLog log = new TelemetryLog(2, 1024 * 1024);
        for (int i = 0; i < 5; i++) {
            log.add(message(i, 10));
        }
        assertThat(log.find((message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("3", "4");
    }

    @Test
    void whenOneMessageIsLargerThanTheLimitThenItAloneIsKept() {
        TelemetryLog log = new TelemetryLog(100, 1024);
        log.add(message(1, 10));
        log.add(message(2, 4096));
        assertThat(log.find((message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("2");
        log.clear();
        assertThat(log.bytes()).isZero();
    }

    private static ReceivedTelemetry message(int n, int bodyBytes) {
        return new ReceivedTelemetry("d", null, new byte[bodyBytes], Map.of("n", Integer.toString(n)), Map.of(),
                Instant.EPOCH);
    }
}
