package dev.iothub.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Collects the measurements of a run, prints them as a table and writes them as JSON.
 */
public final class ResultReport {

    private final List<Measurement> measurements = new ArrayList<>();

    private final Map<String, Object> environment = new LinkedHashMap<>();

    /** Adds a figure and prints it at once, so a long run shows progress. */
    public synchronized void add(Measurement measurement) {
        this.measurements.add(measurement);
        System.out.println("  " + format(measurement));
    }

    /** Records a fact about the run (machine, JVM, options). */
    public synchronized void environment(String key, Object value) {
        this.environment.put(key, value);
    }

    /** Prints the table of every figure. */
    public synchronized void printTable(PrintStream out) {
        int scenarioWidth = width(Measurement::scenario, "scenario");
        int subjectWidth = width(Measurement::subject, "subject");
        int metricWidth = width(Measurement::metric, "metric");
        String row = "%-" + scenarioWidth + "s | %-" + subjectWidth + "s | %-" + metricWidth + "s | %14s | %s%n";
        out.println();
        out.printf(row, "scenario", "subject", "metric", "value", "note");
        out.println("-".repeat(scenarioWidth + subjectWidth + metricWidth + 30));
        for (Measurement m : this.measurements) {
            out.printf(Locale.ROOT, row, m.scenario(), m.subject(), m.metric(), value(m), m.note());
        }
    }

    /** Writes every figure and the environment as JSON. */
    public synchronized void writeJson(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("finishedAt", Instant.now().toString());
        document.put("environment", this.environment);
        document.put("measurements", this.measurements);
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(file.toFile(), document);
    }

    private int width(java.util.function.Function<Measurement, String> field, String header) {
        return Math.max(header.length(), this.measurements.stream().mapToInt((m) -> field.apply(m).length()).max()
            .orElse(0));
    }

    private static String value(Measurement m) {
        if (m.value() == null) {
            return "not measured";
        }
        double v = m.value();
        return (Math.abs(v) >= 100 || v == Math.rint(v)) ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%,.3f", v);
    }

    private static String format(Measurement m) {
        return m.scenario() + " / " + m.subject() + " / " + m.metric() + " = " + value(m)
                + (m.note().isEmpty() ? "" : "  (" + m.note() + ")");
    }
}
