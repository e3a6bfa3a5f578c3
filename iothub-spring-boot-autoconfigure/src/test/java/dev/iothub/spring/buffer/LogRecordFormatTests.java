package dev.iothub.spring.buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogRecordFormatTests {

    private final List<BufferedMessage> records = new ArrayList<>();

    private final List<String> damage = new ArrayList<>();

    @Test
    void whenRecordsAreEncodedThenTheyDecodeInOrderWithTopicAndPayload() {
        decode(join(record(1, "a"), record(2, "b")));
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 2L);
        assertThat(this.records.get(1).topic()).isEqualTo("devices/d/messages/events/id=2");
        assertThat(new String(this.records.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("b");
        assertThat(this.damage).isEmpty();
    }

    @Test
    void whenABodyByteIsFlippedThenThatRecordIsReportedAtItsOffsetAndTheNextOneIsRead() {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"), record(3, "c"));
        int secondAt = first.limit();
        log.put(secondAt + LogRecordFormat.HEADER + 3, (byte) (log.get(secondAt + LogRecordFormat.HEADER + 3) ^ 1));
        decode(log);
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 3L);
        assertThat(this.damage).containsExactly(secondAt + ": checksum mismatch");
    }

    @Test
    void whenTheLastRecordIsTruncatedThenItIsReportedAndTheOthersAreRead() {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"));
        log.limit(log.limit() - 3);
        decode(log);
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L);
        assertThat(this.damage).containsExactly(first.limit() + ": truncated record");
    }

    @Test
    void whenGarbageSitsBetweenRecordsThenItIsSkippedOnce() {
        ByteBuffer first = record(1, "a");
        decode(join(first, ByteBuffer.wrap(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 }), record(2, "b")));
        assertThat(this.records).extracting(BufferedMessage::sequence).containsExactly(1L, 2L);
        assertThat(this.damage).containsExactly(first.limit() + ": no record marker");
    }

    @Test
    void whenOnlyAHeaderFragmentIsLeftThenItIsReportedAsTruncated() {
        ByteBuffer first = record(1, "a");
        ByteBuffer log = join(first, record(2, "b"));
        log.limit(first.limit() + 5);
        decode(log);
        assertThat(this.records).hasSize(1);
        assertThat(this.damage).containsExactly(first.limit() + ": truncated record header");
    }

    private void decode(ByteBuffer log) {
        LogRecordFormat.decode(log, this.records::add, (offset, reason) -> this.damage.add(offset + ": " + reason));
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
