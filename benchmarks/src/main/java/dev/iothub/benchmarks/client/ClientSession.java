package dev.iothub.benchmarks.client;

import dev.iothub.benchmarks.Deadline;
import org.HdrHistogram.Histogram;

/**
 * One or more open connections of a stack, kept across runs so a run measures sending, not connecting.
 */
interface ClientSession extends AutoCloseable {

    /** Sends {@code messages} QoS 1 messages of the payload, spread over the connections, and returns at the last PUBACK. */
    void send(int messages, Deadline deadline) throws Exception;

    /**
     * Offers {@code messages} at a fixed rate on the first connection (open loop) and returns each message's latency
     * from its scheduled send time to its PUBACK, in nanoseconds (so a stall delays the messages behind it too).
     */
    default Histogram openLoop(int ratePerSecond, int messages, Deadline deadline) throws Exception {
        throw new UnsupportedOperationException("this stack has no open-loop mode");
    }

    @Override
    void close() throws Exception;
}
