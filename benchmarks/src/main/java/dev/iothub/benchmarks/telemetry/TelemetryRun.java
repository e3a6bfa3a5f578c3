package dev.iothub.benchmarks.telemetry;

/**
 * The outcome of one telemetry scenario.
 *
 * @param acknowledged how many messages the hub acknowledged
 * @param elapsedNanos from the first send to the last acknowledgement
 * @param detail what the reader should know about the run (retries, settings), or empty
 */
public record TelemetryRun(int acknowledged, long elapsedNanos, String detail) {

    /** Acknowledged messages per second. */
    public double messagesPerSecond() {
        return this.acknowledged / (this.elapsedNanos / 1e9);
    }
}
