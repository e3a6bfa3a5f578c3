package dev.iothub.benchmarks;

import org.jspecify.annotations.Nullable;

/**
 * One figure of a benchmark run, or a slot that is not measured yet ({@code value == null}).
 *
 * @param scenario the benchmark, e.g. {@code telemetry}
 * @param subject what was measured, e.g. {@code (c) raw Paho}
 * @param metric the quantity, e.g. {@code msgs/s}
 * @param value the figure, or {@code null} when not measured
 * @param note context: ratios, targets, sample sizes, or why it was not measured
 */
public record Measurement(String scenario, String subject, String metric, @Nullable Double value,
        String note) {

    /** A measured figure. */
    public static Measurement of(String scenario, String subject, String metric, double value, String note) {
        return new Measurement(scenario, subject, metric, value, note);
    }

    /** A slot that has no figure yet. */
    public static Measurement notMeasured(String scenario, String subject, String metric, String why) {
        return new Measurement(scenario, subject, metric, null, why);
    }
}
