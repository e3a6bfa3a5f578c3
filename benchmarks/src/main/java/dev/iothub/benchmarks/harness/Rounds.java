package dev.iothub.benchmarks.harness;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.iothub.benchmarks.process.ProcessCpu;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Interleaved rounds: round {@code r} runs the entries starting from entry {@code r} (A B C D, B C D A, ...), every run
 * is kept in order, and each entry is summarised by medians and by ratios to a reference measured in the same round.
 */
final class Rounds {

    private Rounds() {
    }

    /**
     * One thing measured in every round.
     *
     * @param id the name in the results, e.g. {@code starter} or {@code paho@mosquitto}
     * @param label what it is
     * @param client the JVM that runs it
     * @param broker where it sends, for the broker's CPU time
     * @param command the {@code run} command
     */
    record Entry(String id, String label, ClientProcess client, Broker broker, Map<String, Object> command) {
    }

    /** Runs the rounds and returns every run, in the order run. */
    static List<Map<String, Object>> run(String series, List<Entry> entries, int rounds, Duration timeout,
            long ticksPerSecond, PrintStream out) {
        List<Map<String, Object>> runs = new ArrayList<>();
        int n = entries.size();
        for (int round = 0; round < rounds; round++) {
            for (int position = 0; position < n; position++) {
                Entry entry = entries.get((position + round) % n);
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("series", series);
                record.put("round", round + 1);
                record.put("position", position + 1);
                record.put("id", entry.id());
                record.put("broker", entry.broker().name());
                record.put("window", entry.command().get("window"));
                record.put("connections", entry.command().get("connections"));
                record.put("loadAverage", RunEnvironment.loadAverage());
                try {
                    long brokerBefore = ProcessCpu.nanosOf(entry.broker().pid(), ticksPerSecond);
                    JsonNode result = entry.client().call(entry.command(), timeout);
                    long brokerAfter = ProcessCpu.nanosOf(entry.broker().pid(), ticksPerSecond);
                    result.properties().forEach((field) -> record.put(field.getKey(), field.getValue()));
                    if (brokerBefore >= 0 && brokerAfter >= 0) {
                        record.put("brokerCpuMicrosPerMessage",
                                (brokerAfter - brokerBefore) / 1e3 / result.path("messages").asLong());
                    }
                    out.printf(Locale.ROOT, "  [%s round %d, %d/%d] %-22s %,10.0f msgs/s  client %6.1f us/msg  "
                            + "%,8.0f B/msg  %5.2f cs/msg  broker %6.1f us/msg%n", series, round + 1, position + 1, n,
                            entry.id(), number(record, "messagesPerSecond"), number(record, "cpuMicrosPerMessage"),
                            number(record, "allocatedBytesPerMessage"), number(record, "contextSwitchesPerMessage"),
                            number(record, "brokerCpuMicrosPerMessage"));
                }
                catch (Exception ex) {
                    record.put("error", String.valueOf(ex));
                    out.printf("  [%s round %d, %d/%d] %s FAILED: %s%n", series, round + 1, position + 1, n,
                            entry.id(), ex);
                }
                runs.add(record);
            }
        }
        return runs;
    }

    /**
     * Summarises each entry: median, minimum and maximum rate, the spread, and the median (and range) of its per-round
     * ratio to the reference's rate and CPU per message; medians of client CPU, allocation, context switches and
     * broker CPU per message.
     */
    static List<Map<String, Object>> summarize(List<Map<String, Object>> runs, List<Entry> entries,
            @Nullable String referenceId) {
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (Entry entry : entries) {
            List<Map<String, Object>> own = runs.stream()
                .filter((run) -> run.get("id").equals(entry.id()) && !run.containsKey("error")).toList();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("id", entry.id());
            summary.put("label", entry.label());
            summary.put("runs", own.size());
            if (own.isEmpty()) {
                summaries.add(summary);
                continue;
            }
            List<Double> rates = values(own, "messagesPerSecond");
            double median = median(rates);
            summary.put("messagesPerSecondMedian", median);
            summary.put("messagesPerSecondMin", rates.stream().min(Comparator.naturalOrder()).orElseThrow());
            summary.put("messagesPerSecondMax", rates.stream().max(Comparator.naturalOrder()).orElseThrow());
            summary.put("spreadPercent", 100 * (rates.stream().max(Comparator.naturalOrder()).orElseThrow()
                    - rates.stream().min(Comparator.naturalOrder()).orElseThrow()) / median);
            summary.put("cpuMicrosPerMessageMedian", median(values(own, "cpuMicrosPerMessage")));
            summary.put("allocatedBytesPerMessageMedian", median(values(own, "allocatedBytesPerMessage")));
            summary.put("contextSwitchesPerMessageMedian", median(values(own, "contextSwitchesPerMessage")));
            summary.put("brokerCpuMicrosPerMessageMedian", median(values(own, "brokerCpuMicrosPerMessage")));
            if (referenceId != null) {
                List<Double> ratios = ratios(runs, entry.id(), referenceId, "messagesPerSecond");
                if (!ratios.isEmpty()) {
                    summary.put("reference", referenceId);
                    summary.put("ratioMedian", median(ratios));
                    summary.put("ratioMin", ratios.stream().min(Comparator.naturalOrder()).orElseThrow());
                    summary.put("ratioMax", ratios.stream().max(Comparator.naturalOrder()).orElseThrow());
                    summary.put("cpuRatioMedian", median(ratios(runs, entry.id(), referenceId, "cpuMicrosPerMessage")));
                }
            }
            summaries.add(summary);
        }
        return summaries;
    }

    /** Per round, {@code a}'s figure over {@code b}'s, for the rounds in which both have one. */
    static List<Double> ratios(List<Map<String, Object>> runs, String a, String b, String figure) {
        List<Double> ratios = new ArrayList<>();
        int rounds = runs.stream().mapToInt((run) -> (Integer) run.get("round")).max().orElse(0);
        for (int round = 1; round <= rounds; round++) {
            Double x = figure(runs, a, round, figure);
            Double y = figure(runs, b, round, figure);
            if (x != null && y != null && y > 0) {
                ratios.add(x / y);
            }
        }
        return ratios;
    }

    private static @Nullable Double figure(List<Map<String, Object>> runs, String id, int round, String figure) {
        for (Map<String, Object> run : runs) {
            if (run.get("id").equals(id) && Objects.equals(run.get("round"), round) && !run.containsKey("error")) {
                double value = number(run, figure);
                return Double.isNaN(value) ? null : value;
            }
        }
        return null;
    }

    /** Prints a summary table. */
    static void print(String title, List<Map<String, Object>> summaries, PrintStream out) {
        out.println();
        out.println(title);
        out.printf("  %-22s %24s %22s %10s %8s %9s %8s %9s%n", "stack", "msgs/s median (min-max)",
                "x ref median (min-max)", "client us", "x ref", "B/msg", "cs/msg", "broker us");
        for (Map<String, Object> s : summaries) {
            if (!s.containsKey("messagesPerSecondMedian")) {
                out.printf("  %-22s no successful run%n", s.get("id"));
                continue;
            }
            out.printf(Locale.ROOT, "  %-22s %9.0f (%5.0f-%6.0f) %8s %13s %10.1f %8s %9.0f %8.2f %9.1f%n", s.get("id"),
                    number(s, "messagesPerSecondMedian"), number(s, "messagesPerSecondMin"),
                    number(s, "messagesPerSecondMax"), s.containsKey("ratioMedian")
                            ? String.format(Locale.ROOT, "%.2f", number(s, "ratioMedian")) : "-",
                    s.containsKey("ratioMedian") ? String.format(Locale.ROOT, "(%.2f-%.2f)", number(s, "ratioMin"),
                            number(s, "ratioMax")) : "",
                    number(s, "cpuMicrosPerMessageMedian"), s.containsKey("cpuRatioMedian")
                            ? String.format(Locale.ROOT, "%.2f", number(s, "cpuRatioMedian")) : "-",
                    number(s, "allocatedBytesPerMessageMedian"), number(s, "contextSwitchesPerMessageMedian"),
                    number(s, "brokerCpuMicrosPerMessageMedian"));
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().filter((v) -> !Double.isNaN(v)).sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int middle = sorted.size() / 2;
        return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static List<Double> values(List<Map<String, Object>> runs, String figure) {
        return runs.stream().map((run) -> number(run, figure)).toList();
    }

    /** A number in a result map, whether Java or JSON; NaN when absent. */
    static double number(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof JsonNode node && node.isNumber()) {
            return node.asDouble();
        }
        return Double.NaN;
    }
}
