package dev.iothub.emulator.hub;

import java.time.Instant;
import java.util.Map;
import java.util.function.LongFunction;

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
            log.add("d", message(i, 300 * 1024));
        }
        assertThat(log.find("d", (message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("7", "8", "9");
        assertThat(log.bytes("d")).isLessThanOrEqualTo(1024 * 1024);
    }

    @Test
    void whenTheCountExceedsTheLimitThenTheOldestMessagesAreDropped() {
        TelemetryLog log = new TelemetryLog(2, 1024 * 1024);
        for (int i = 0; i < 5; i++) {
            log.add("d", message(i, 10));
        }
        assertThat(log.find("d", (message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("3", "4");
    }

    @Test
    void whenOneMessageIsLargerThanTheLimitThenItAloneIsKept() {
        TelemetryLog log = new TelemetryLog(100, 1024);
        log.add("d", message(1, 10));
        log.add("d", message(2, 4096));
        assertThat(log.find("d", (message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("2");
        log.clear(null);
        assertThat(log.bytes("d")).isZero();
    }

    @Test
    void whenOneDeviceSendsMoreThanItsShareThenAnotherDeviceKeepsItsMessages() {
        TelemetryLog log = new TelemetryLog(2, 1024 * 1024);
        log.add("quiet", message(1, 10));
        for (int i = 0; i < 5; i++) {
            log.add("noisy", message(i, 10));
        }
        assertThat(log.find("quiet", (message) -> true)).extracting((message) -> message.properties().get("n"))
            .containsExactly("1");
        assertThat(log.find(null, (message) -> true)).extracting(ReceivedTelemetry::sequenceNumber)
            .containsExactly(1L, 5L, 6L);
    }

    @Test
    void whenPagedThenMessagesAfterTheCursorComeOldestFirstUpToTheLimit() {
        TelemetryLog log = new TelemetryLog(100, 1024 * 1024);
        for (int i = 0; i < 5; i++) {
            log.add("d", message(i, 10));
        }
        assertThat(log.page("d", 0, null, 2)).extracting(ReceivedTelemetry::sequenceNumber).containsExactly(1L, 2L);
        assertThat(log.page("d", 2, null, 10)).extracting(ReceivedTelemetry::sequenceNumber)
            .containsExactly(3L, 4L, 5L);
        log.clear("d");
        assertThat(log.page("d", 0, null, 10)).isEmpty();
    }

    private static LongFunction<ReceivedTelemetry> message(int n, int bodyBytes) {
        return (sequence) -> new ReceivedTelemetry("d", null, new byte[bodyBytes], Map.of("n", Integer.toString(n)),
                Map.of(), Instant.EPOCH, sequence);
    }
}
