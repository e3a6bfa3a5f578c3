package dev.iothub.benchmarks.scale;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The counters of one steady-rate traffic phase, shared by every device of a fleet: messages sent, acknowledged,
 * skipped because a device had too many unacknowledged, connections lost, and the PUBACK latencies from each
 * message's scheduled send time.
 */
final class SteadyTraffic {

    /** A device that has this many messages unacknowledged skips its next scheduled one. */
    static final int MAX_IN_FLIGHT = 100;

    private final LongAdder sent = new LongAdder();

    private final LongAdder acknowledged = new LongAdder();

    private final LongAdder skipped = new LongAdder();

    private final LongAdder lostConnections = new LongAdder();

    private final Histogram latencies = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(5), 3);

    void sent() {
        this.sent.increment();
    }

    void acknowledged(long latencyNanos) {
        this.acknowledged.increment();
        this.latencies.recordValue(Math.max(0, Math.min(latencyNanos, this.latencies.getHighestTrackableValue())));
    }

    void skipped() {
        this.skipped.increment();
    }

    void lostConnection() {
        this.lostConnections.increment();
    }

    long sentCount() {
        return this.sent.sum();
    }

    long acknowledgedCount() {
        return this.acknowledged.sum();
    }

    /** The counts and latency percentiles in milliseconds. */
    Map<String, Object> describe() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sent", this.sent.sum());
        figures.put("acknowledged", this.acknowledged.sum());
        figures.put("skipped", this.skipped.sum());
        figures.put("lostConnections", this.lostConnections.sum());
        figures.put("p50Millis", this.latencies.getValueAtPercentile(50) / 1e6);
        figures.put("p99Millis", this.latencies.getValueAtPercentile(99) / 1e6);
        figures.put("p999Millis", this.latencies.getValueAtPercentile(99.9) / 1e6);
        figures.put("maxMillis", this.latencies.getMaxValue() / 1e6);
        return figures;
    }
}
