package dev.iothub.benchmarks;

import java.util.Arrays;

/**
 * Recorded latencies in nanoseconds, with exact percentiles (the sample is small enough to sort).
 */
public final class Latencies {

    private final long[] samples;

    private int count;

    public Latencies(int capacity) {
        this.samples = new long[capacity];
    }

    public void record(long nanos) {
        this.samples[this.count++] = nanos;
    }

    public int count() {
        return this.count;
    }

    /** The nearest-rank percentile in milliseconds, e.g. {@code percentileMillis(99)}. */
    public double percentileMillis(double percentile) {
        long[] sorted = Arrays.copyOf(this.samples, this.count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    public double maxMillis() {
        return Arrays.stream(this.samples, 0, this.count).max().orElse(0) / 1e6;
    }

    public double meanMillis() {
        return Arrays.stream(this.samples, 0, this.count).average().orElse(0) / 1e6;
    }
}
