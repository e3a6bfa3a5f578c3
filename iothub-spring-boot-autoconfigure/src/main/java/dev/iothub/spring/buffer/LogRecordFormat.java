package dev.iothub.spring.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
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

    /** The scan window holds the longest record at any offset, so a segment is read in chunks of about 1 MiB. */
    private static final int WINDOW = 2 * (HEADER + MAX_BODY);

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
     * Reads every intact record of a segment in order, through a window of about 1 MiB, and tells where each lies
     * without keeping its content. A damaged region (bad magic, length or CRC) or a truncated tail is reported
     * once, at its first offset, and skipped up to the next intact record.
     *
     * @return the bytes read
     */
    static long scan(ReadableByteChannel segment, Index records, Damage damage) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(WINDOW).limit(0);
        long base = 0;
        int position = 0;
        boolean end = false;
        long damagedAt = -1;
        String reason = "";
        while (true) {
            if (!end && window.limit() - position < HEADER + MAX_BODY) {
                window.position(position).compact();
                base += position;
                position = 0;
                while (window.hasRemaining() && !end) {
                    end = segment.read(window) < 0;
                }
                window.flip();
            }
            if (position + HEADER > window.limit()) {
                break;
            }
            String problem = problemAt(window, position);
            if (problem == null) {
                if (damagedAt >= 0) {
                    damage.found(damagedAt, reason);
                    damagedAt = -1;
                }
                int bodyLength = window.getInt(position + 4);
                records.found(window.getLong(position + HEADER), base + position, HEADER + bodyLength);
                position += HEADER + bodyLength;
            }
            else {
                if (damagedAt < 0) {
                    damagedAt = base + position;
                    reason = problem;
                }
                position++;
            }
        }
        if (damagedAt >= 0) {
            damage.found(damagedAt, reason);
        }
        else if (position < window.limit()) {
            damage.found(base + position, "truncated record header");
        }
        return base + window.limit();
    }

    /**
     * Decodes one record read back whole from its segment.
     *
     * @return the problem found, or {@code null} when {@code record} holds the intact record of {@code sequence}
     */
    static @Nullable String check(ByteBuffer record, long sequence) {
        if (record.limit() < HEADER) {
            return "truncated record";
        }
        String problem = problemAt(record, 0);
        if (problem == null && HEADER + record.getInt(4) != record.limit()) {
            problem = "record length " + record.getInt(4) + " differs from the one stored";
        }
        if (problem == null && record.getLong(HEADER) != sequence) {
            problem = "record of message " + record.getLong(HEADER) + " found instead";
        }
        return problem;
    }

    /** The message in an intact record (see {@link #check}). */
    static BufferedMessage decode(ByteBuffer record) {
        int bodyLength = record.getInt(4);
        long sequence = record.getLong(HEADER);
        int topicLength = Short.toUnsignedInt(record.getShort(HEADER + 8));
        byte[] topic = new byte[topicLength];
        record.get(HEADER + MIN_BODY, topic);
        byte[] payload = new byte[bodyLength - MIN_BODY - topicLength];
        record.get(HEADER + MIN_BODY + topicLength, payload);
        return new BufferedMessage(sequence, new String(topic, StandardCharsets.UTF_8), payload);
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

    /** Told where each intact record of a segment lies. */
    @FunctionalInterface
    interface Index {

        void found(long sequence, long offset, int size);

    }

    /** Told of each damaged region of a segment. */
    @FunctionalInterface
    interface Damage {

        void found(long offset, String reason);

    }

}
