package dev.iothub.spring.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.iothub.spring.buffer.DiskBufferOptions.Sync;
import dev.iothub.spring.buffer.DiskBufferOptions.WhenFull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class TelemetryLogTests {

    private static final long SMALL = 64 * 1024;

    @TempDir
    Path directory;

    @Test
    void whenReopenedThenMessagesFromTheOldestUnacknowledgedOneComeBackInOrder() throws Exception {
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            for (int i = 0; i < 5; i++) {
                log.append("t/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO);
            }
            log.acknowledge(0);
            log.acknowledge(2);
            assertThat(log.size()).isEqualTo(3);
        }
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            List<BufferedMessage> recovered = readRecovered(log);
            // the checkpoint is the oldest unacknowledged message: t/2, acknowledged out of order, is sent again
            assertThat(recovered).extracting(BufferedMessage::topic).containsExactly("t/1", "t/2", "t/3", "t/4");
            assertThat(new String(recovered.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("m1");
            assertThat(log.append("t/5", new byte[1], Duration.ZERO).sequence()).isEqualTo(5);
        }
    }

    @Test
    void whenEverythingIsAcknowledgedThenTheSegmentFilesAreDeleted() throws Exception {
        try (TelemetryLog log = open(SMALL, WhenFull.BLOCK)) {
            byte[] payload = new byte[1000];
            for (int i = 0; i < 200; i++) {
                long sequence = log.append("t", payload, Duration.ZERO).sequence();
                log.acknowledge(sequence);
            }
            assertThat(log.bytes()).isLessThan(SMALL);
            assertThat(segments()).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void whenASegmentIsCorruptThenTheDamageIsReportedWithFileAndOffsetAndTheRestIsRecovered(CapturedOutput output)
            throws Exception {
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            for (int i = 0; i < 3; i++) {
                log.append("t/" + i, new byte[100], Duration.ZERO);
            }
        }
        Path segment = segments().get(0);
        byte[] content = Files.readAllBytes(segment);
        int recordSize = content.length / 3;
        content[recordSize + 20] ^= 0x55;
        Files.write(segment, content);
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            assertThat(readRecovered(log)).extracting(BufferedMessage::topic).containsExactly("t/0", "t/2");
        }
        assertThat(output).contains("Skipped a damaged part of the telemetry buffer " + segment + " at offset "
                + recordSize + " (checksum mismatch)");
    }

    @Test
    void whenTheLastRecordIsTruncatedThenItIsReportedAndTheOthersAreRecovered(CapturedOutput output)
            throws Exception {
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            for (int i = 0; i < 3; i++) {
                log.append("t/" + i, new byte[100], Duration.ZERO);
            }
        }
        Path segment = segments().get(0);
        long size = Files.size(segment);
        try (var channel = Files.newByteChannel(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 7);
        }
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            assertThat(readRecovered(log)).extracting(BufferedMessage::topic).containsExactly("t/0", "t/1");
            log.append("t/3", new byte[1], Duration.ZERO);
        }
        assertThat(output).contains(segment + " at offset " + (size / 3 * 2) + " (truncated record)");
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            assertThat(readRecovered(log)).extracting(BufferedMessage::topic).containsExactly("t/0", "t/1", "t/3");
        }
    }

    @Test
    void whenARecordIsDamagedAfterItWasWrittenThenReadingItBackFailsOnceCountedAndTheOthersStillRead(
            CapturedOutput output) throws Exception {
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            List<TelemetryLog.StoredMessage> stored = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                stored.add(log.append("t/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), Duration.ZERO).stored());
            }
            Path segment = segments().get(0);
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] { 0x55 }), stored.get(1).offset() + stored.get(1).size() - 1);
            }
            assertThatExceptionOfType(TelemetryBufferDamagedException.class)
                .isThrownBy(() -> log.read(stored.get(1)))
                .withMessage("Skipped a damaged part of the telemetry buffer " + segment + " at offset "
                        + stored.get(1).offset() + " (checksum mismatch) when reading it back; message 1 is lost");
            assertThat(log.damagedCount()).isOne();
            assertThat(log.read(stored.get(2))).extracting(BufferedMessage::topic).isEqualTo("t/2");
            assertThat(log.read(stored.get(0)).payload()).asString(StandardCharsets.UTF_8).isEqualTo("m0");
        }
        assertThat(output).containsOnlyOnce("when reading it back");
    }

    @Test
    void whenTheCheckpointIsDamagedThenEverythingStoredIsSentAgain(CapturedOutput output) throws Exception {
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            log.append("t/0", new byte[1], Duration.ZERO);
            log.append("t/1", new byte[1], Duration.ZERO);
            log.acknowledge(0);
        }
        Files.write(this.directory.resolve("checkpoint"), new byte[] { 1, 2, 3 });
        try (TelemetryLog log = open(SMALL * 16, WhenFull.BLOCK)) {
            assertThat(readRecovered(log)).extracting(BufferedMessage::topic).containsExactly("t/0", "t/1");
        }
        assertThat(output).contains("checkpoint " + this.directory.resolve("checkpoint") + " is damaged");
    }

    @Test
    void whenFullAndBlockingThenASendFailsUntilOlderMessagesAreAcknowledged() throws Exception {
        try (TelemetryLog log = open(SMALL, WhenFull.BLOCK)) {
            byte[] payload = new byte[1000];
            int accepted = 0;
            try {
                while (true) {
                    log.append("t", payload, Duration.ZERO);
                    accepted++;
                }
            }
            catch (TelemetryBufferFullException ex) {
                assertThat(ex).hasMessageContaining("iothub.buffer.max-size");
            }
            assertThat(accepted).isBetween(50, 64);
            assertThat(log.bytes()).isLessThanOrEqualTo(SMALL);
            for (int i = 0; i < accepted; i++) {
                log.acknowledge(i);
            }
            assertThat(log.append("t", payload, Duration.ZERO).sequence()).isEqualTo(accepted);
            assertThat(log.droppedCount()).isZero();
        }
    }

    @Test
    void whenFullAndDroppingOldestThenTheOldestSegmentGoesAndIsCounted(CapturedOutput output) throws Exception {
        try (TelemetryLog log = open(SMALL, WhenFull.DROP_OLDEST)) {
            byte[] payload = new byte[1000];
            long droppedBefore = -1;
            for (int i = 0; i < 200; i++) {
                TelemetryLog.Appended appended = log.append("t", payload, Duration.ZERO);
                droppedBefore = Math.max(droppedBefore, appended.droppedBefore());
            }
            assertThat(log.bytes()).isLessThanOrEqualTo(SMALL);
            assertThat(log.droppedCount()).isPositive().isEqualTo(200 - log.size());
            assertThat(droppedBefore).isEqualTo(log.droppedCount());
        }
        try (TelemetryLog log = open(SMALL, WhenFull.DROP_OLDEST)) {
            List<TelemetryLog.StoredMessage> recovered = log.takeRecovered();
            assertThat(recovered.get(recovered.size() - 1).sequence()).isEqualTo(199);
        }
        assertThat(output).contains("is full (iothub.buffer.max-size=65536 bytes): dropped the");
    }

    @Test
    void whenAnotherLogHoldsTheDirectoryThenOpeningFails() {
        try (TelemetryLog log = open(SMALL, WhenFull.BLOCK)) {
            assertThatExceptionOfType(TelemetryBufferUnavailableException.class)
                .isThrownBy(() -> open(SMALL, WhenFull.BLOCK))
                .withMessageContaining("another process or application uses it")
                .satisfies((ex) -> assertThat(ex.isInUse()).isTrue());
        }
    }

    @Test
    void whenAFileIsWhereTheDirectoryMustBeThenOpeningSaysSo() throws IOException {
        Files.writeString(this.directory.resolve("file"), "not a directory");
        assertThatExceptionOfType(TelemetryBufferUnavailableException.class)
            .isThrownBy(() -> TelemetryLog.open(new DiskBufferOptions(this.directory.resolve("file/dev1"), SMALL,
                    Sync.EVERY_MESSAGE, Duration.ofMillis(50), WhenFull.BLOCK), "dev1"))
            .satisfies((ex) -> assertThat(ex.getReason()).startsWith("a file is in the way"))
            .satisfies((ex) -> assertThat(ex.isInUse()).isFalse());
    }

    private TelemetryLog open(long maxSize, WhenFull whenFull) {
        return TelemetryLog.open(new DiskBufferOptions(this.directory, maxSize, Sync.EVERY_MESSAGE,
                Duration.ofMillis(50), whenFull), "test");
    }

    private static List<BufferedMessage> readRecovered(TelemetryLog log) throws TelemetryBufferDamagedException {
        List<BufferedMessage> messages = new ArrayList<>();
        for (TelemetryLog.StoredMessage stored : log.takeRecovered()) {
            messages.add(log.read(stored));
        }
        return messages;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(this.directory)) {
            return files.filter((file) -> file.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

}
