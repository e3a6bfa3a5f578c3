package dev.iothub.spring.buffer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogRecordFormatTests {

    private final List<BufferedMessage> records = new ArrayList<>();

    private final List<String> damage = new ArrayList<>();

    @Test
    void whenRecordsAreEncodedThenTheyDecodeInOrderWithTopicAndPayload() throws IOException {
        decode(join(record(1, "a"), record(2, "b")));
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 2L);
        assertThat(this.records.get(1).topic()).isEqualTo("devices/d/messages/events/id=2");
        assertThat(new String(this.records.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(this.damage).isEmpty();
    }

    @Test
    void whenABodyByteIsFlippedThenThatRecordIsReportedAtItsOffsetAndTheNextOneIsRead() throws IOException {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"), record(3, "c"));
        int secondAt = first.limit();
        log.put(secondAt + LogRecordFormat.HEADER + 3, (byte) (log.get(secondAt + LogRecordFormat.HEADER + 3) ^ 1));
        decode(log);
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 3L);
        assertThat(this.damage).containsExactly(secondAt + ": checksum mismatch");
    }

    @Test
    void whenTheLastRecordIsTruncatedThenItIsReportedAndTheOthersAreRead() throws IOException {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"));
        log.limit(log.limit() - 3);
        decode(log);
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L);
        assertThat(this.damage).containsExactly(first.limit() + ": truncated record");
    }

    @Test
    void whenGarbageSitsBetweenRecordsThenItIsSkippedOnce() throws IOException {
        ByteBuffer first = record(1, "a");
        decode(join(first, ByteBuffer.wrap(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 }), record(2, "b")));
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 2L);
        assertThat(this.damage).containsExactly(first.limit() + ": no record marker");
    }

    @Test
    void whenOnlyAHeaderFragmentIsLeftThenItIsReportedAsTruncated() throws IOException {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"));
        log.limit(first.limit() + 5);
        decode(log);
        assertThat(this.records).hasSize(1);
        assertThat(this.damage).containsExactly(first.limit() + ": truncated record header");
    }

    @Test
    void whenASegmentIsLongerThanTheScanWindowThenEveryRecordIsFoundAtItsOffsetAndDamageIsReportedOnce()
            throws IOException {
        List<ByteBuffer> parts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            parts.add(LogRecordFormat.encode(i, "t/" + i, new byte[300 * 1024 + i]));
        }
        ByteBuffer log = join(parts.toArray(ByteBuffer[]::new));
        int fifthAt = 0;
        for (int i = 0; i < 5; i++) {
            fifthAt += parts.get(i).limit();
        }
        log.put(fifthAt + LogRecordFormat.HEADER + 100, (byte) 7);
        decode(log);
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 6L, 7L);
        assertThat(this.records.get(6).payload()).hasSize(300 * 1024 + 7);
        assertThat(this.damage).containsExactly(fifthAt + ": checksum mismatch");
    }

    @Test
    void whenARecordIsReadBackThenItIsCheckedAgainstItsSequenceAndLength() {
        ByteBuffer record = record(7, "a");
        assertThat(LogRecordFormat.check(record.duplicate(), 7)).isNull();
        assertThat(LogRecordFormat.check(record.duplicate(), 8)).isEqualTo("record of message 7 found instead");
        assertThat(LogRecordFormat.check(record.duplicate().limit(record.limit() - 1), 7))
            .isEqualTo("truncated record");
        record.put(LogRecordFormat.HEADER + 9, (byte) 0x7F);
        assertThat(LogRecordFormat.check(record, 7)).isEqualTo("checksum mismatch");
    }

    /** Scans a segment as recovery does, then decodes each record found from where the scan says it lies. */
    private void decode(ByteBuffer log) throws IOException {
        byte[] content = new byte[log.limit()];
        log.get(0, content);
        long length = LogRecordFormat.scan(Channels.newChannel(new ByteArrayInputStream(content)),
                (sequence, offset, size) -> {
                    ByteBuffer record = ByteBuffer.wrap(content, (int) offset, size).slice();
                    assertThat(LogRecordFormat.check(record, sequence)).isNull();
                    this.records.add(LogRecordFormat.decode(record));
                }, (offset, reason) -> this.damage.add(offset + ": " + reason));
        assertThat(length).isEqualTo(content.length);
    }

    private static ByteBuffer record(long sequence, String payload) {
        return LogRecordFormat.encode(sequence, "devices/d/messages/events/id=" + sequence,
                payload.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer join(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer part : parts) {
            size += part.remaining();
        }
        ByteBuffer joined = ByteBuffer.allocate(size);
        for (ByteBuffer part : parts) {
            joined.put(part.duplicate());
        }
        return joined.flip();
    }

}
