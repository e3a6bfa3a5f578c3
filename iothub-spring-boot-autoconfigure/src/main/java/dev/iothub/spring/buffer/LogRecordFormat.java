package dev.iothub.spring.buffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import org.jspecify.annotations.Nullable;

/**
 * The on-disk record: {@code magic(4) length(4) crc32c(4)} then a body of {@code length} bytes,
 * {@code sequence(8) topicLength(2) topic payload}, the CRC covering the body. The magic lets a reader find the next
 * record after a damaged one.
 */
final class LogRecordFormat {

    static final int MAGIC = 0x10B0FFE7;

    static final int HEADER = 12;

    private static final int MIN_BODY = 10;

    /** Larger than any message the hub accepts (256 KiB) with the longest topic. */
    static final int MAX_BODY = 512 * 1024;

    private LogRecordFormat() {
    }

    static int size(String topic, byte[] payload) {
        return HEADER + MIN_BODY + topic.getBytes(StandardCharsets.UTF_8).length + payload.length;
    }

    static ByteBuffer encode(long sequence, String topic, byte[] payload) {
        byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
        if (topicBytes.length > 0xFFFF) {
            throw new IllegalArgumentException("The topic is longer than 65535 bytes");
        }
        int bodyLength = MIN_BODY + topicBytes.length + payload.length;
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + bodyLength);
        buffer.putInt(MAGIC).putInt(bodyLength).putInt(0);
        buffer.putLong(sequence).putShort((short) topicBytes.length).put(topicBytes).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), HEADER, bodyLength);
        buffer.putInt(8, (int) crc.getValue());
        return buffer.flip();
    }

    /**
     * Reads every intact record of a segment in order. A damaged region (bad magic, length or CRC) or a truncated
     * tail is reported once, at its first offset, and skipped up to the next intact record.
     */
    static void decode(ByteBuffer segment, Consumer<BufferedMessage> records, Damage damage) {
        int position = 0;
        int damagedAt = -1;
        String reason = "";
        int limit = segment.limit();
        while (position + HEADER <= limit) {
            String problem = problemAt(segment, position);
            if (problem == null) {
                if (damagedAt >= 0) {
                    damage.found(damagedAt, reason);
                    damagedAt = -1;
                }
                int bodyLength = segment.getInt(position + 4);
                records.accept(read(segment, position + HEADER, bodyLength));
                position += HEADER + bodyLength;
            }
            else {
                if (damagedAt < 0) {
                    damagedAt = position;
                    reason = problem;
                }
                position++;
            }
        }
        if (damagedAt >= 0) {
            damage.found(damagedAt, reason);
        }
        else if (position < limit) {
            damage.found(position, "truncated record header");
        }
    }

    private static @Nullable String problemAt(ByteBuffer segment, int position) {
        if (segment.getInt(position) != MAGIC) {
            return "no record marker";
        }
        int bodyLength = segment.getInt(position + 4);
        if (bodyLength < MIN_BODY || bodyLength > MAX_BODY) {
            return "impossible record length " + bodyLength;
        }
        if (position + HEADER + bodyLength > segment.limit()) {
            return "truncated record";
        }
        CRC32C crc = new CRC32C();
        crc.update(segment.slice(position + HEADER, bodyLength));
        if ((int) crc.getValue() != segment.getInt(position + 8)) {
            return "checksum mismatch";
        }
        int topicLength = Short.toUnsignedInt(segment.getShort(position + HEADER + 8));
        return (MIN_BODY + topicLength > bodyLength) ? "impossible topic length " + topicLength : null;
    }

    private static BufferedMessage read(ByteBuffer segment, int body, int bodyLength) {
        long sequence = segment.getLong(body);
        int topicLength = Short.toUnsignedInt(segment.getShort(body + 8));
        byte[] topic = new byte[topicLength];
        segment.get(body + MIN_BODY, topic);
        byte[] payload = new byte[bodyLength - MIN_BODY - topicLength];
        segment.get(body + MIN_BODY + topicLength, payload);
        return new BufferedMessage(sequence, new String(topic, StandardCharsets.UTF_8), payload);
    }

    /** Told of each damaged region of a segment. */
    @FunctionalInterface
    interface Damage {

        void found(long offset, String reason);

    }

}
