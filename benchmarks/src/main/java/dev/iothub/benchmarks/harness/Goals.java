package dev.iothub.benchmarks.harness;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.iothub.benchmarks.client.StackKind;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The goals of issue 16, each with the figure of this run and whether it was met.
 */
final class Goals {

    private Goals() {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> evaluate(Map<String, Object> document, HarnessOptions options) {
        List<Map<String, Object>> goals = new ArrayList<>();
        List<Map<String, Object>> series = (List<Map<String, Object>>) document.getOrDefault("throughput", List.of());
        for (int window : List.of(100, 1000)) {
            Map<String, Object> summary = summary(series, window, StackKind.STARTER.id());
            goals.add(goal("starter (tuned) >= 0.9x raw Paho like-for-like, window " + window,
                    figure(summary, "ratioMedian"), "x", 0.9, Check.AT_LEAST));
            goals.add(goal("starter client CPU per message <= 1.2x raw Paho's, window " + window,
                    figure(summary, "cpuRatioMedian"), "x", 1.2, Check.AT_MOST));
            goals.add(goal("HiveMQ client (the JVM limit) over raw Paho like-for-like, window " + window,
                    figure(summary(series, window, StackKind.HIVEMQ.id()), "ratioMedian"), "x", null, Check.AT_LEAST));
        }
        Double defaultsRatio = null;
        for (Map<String, Object> s : series) {
            if (s.get("starterDefaultsOverSdkDefaults") instanceof List<?> ratios && !ratios.isEmpty()) {
                defaultsRatio = Rounds.median((List<Double>) ratios);
            }
        }
        goals.add(goal("starter at its defaults >= 10x the official SDK at its defaults", defaultsRatio, "x", 10.0,
                Check.AT_LEAST));
        Map<String, Object> broker = (Map<String, Object>) document.get("broker");
        for (StackKind client : List.of(StackKind.PAHO, StackKind.HIVEMQ)) {
            Double ratio = null;
            if (broker != null && broker.get("single") instanceof Map<?, ?> single) {
                for (Map<String, Object> s : (List<Map<String, Object>>) single.get("summary")) {
                    if (s.get("id").equals(client.id() + "@emulator")) {
                        ratio = figure(s, "ratioMedian");
                    }
                }
            }
            goals.add(goal("emulator >= Mosquitto, single-connection ack rate, " + client.id() + " client", ratio, "x",
                    1.0, Check.AT_LEAST));
        }
        Double p99 = null;
        for (Map<String, Object> m : (List<Map<String, Object>>) document.getOrDefault("methods", List.of())) {
            if (Objects.equals(m.get("id"), StackKind.STARTER_DEFAULTS.id())
                    && m.get("javaApi sequential") instanceof JsonNode sequential) {
                p99 = sequential.path("p99Millis").asDouble();
            }
        }
        goals.add(goal("direct method p99 through the Java API < 2 ms (starter @DirectMethod, sequential)", p99, "ms",
                2.0, Check.BELOW));
        Double held = null;
        Double heapPerDevice = null;
        if (document.get("scale") instanceof Map<?, ?> scale) {
            held = (scale.get("largestHeld") instanceof Integer n) ? n.doubleValue() : 0.0;
            for (Map<String, Object> size : (List<Map<String, Object>>) scale.get("sizes")) {
                if (size.get("failure") == null && size.get("brokerHeapBytesPerDevice") instanceof Double bytes) {
                    heapPerDevice = bytes / 1024;
                }
            }
        }
        goals.add(goal("emulator holds >= 10,000 devices at 1 msg/s each, full TLS handshakes (largest N that held)",
                held, "devices", 10_000.0, Check.AT_LEAST));
        goals.add(goal("emulator heap per connected device after traffic (largest N that held)", heapPerDevice, "KiB",
                null, Check.AT_MOST));
        Double idle = (document.get("idle") instanceof Map<?, ?> idleResult
                && idleResult.get("cpuPercentOfOneCore") instanceof Double percent) ? percent : null;
        goals.add(goal("idle CPU < 0.5 % of one core at 1 msg/s (starter app, across SAS renewals)", idle, "%", 0.5,
                Check.BELOW));
        Double adds = null;
        if (document.get("startup") instanceof Map<?, ?> startup
                && startup.get("starterAddsMillis") instanceof List<?> differences && !differences.isEmpty()) {
            adds = Rounds.median((List<Double>) differences);
        }
        goals.add(goal("the starter adds < 300 ms to a bare Spring Boot app's start-up (spawn to connected and "
                + "subscribed vs context ready, fat jars as built, no CDS or AOT)", adds, "ms", 300.0, Check.BELOW));
        return goals;
    }

    static void print(List<Map<String, Object>> goals, PrintStream out) {
        out.println();
        out.println("== goals (issue 16)");
        for (Map<String, Object> goal : goals) {
            Object figure = goal.get("figure");
            out.printf(Locale.ROOT, "  %-90s %12s  %s%n", goal.get("goal"),
                    (figure instanceof Double value) ? String.format(Locale.ROOT, "%.2f %s", value, goal.get("unit"))
                            : "-", goal.get("status"));
        }
    }

    private static @Nullable Map<String, Object> summary(List<Map<String, Object>> series, int window, String id) {
        for (Map<String, Object> s : series) {
            if (Objects.equals(s.get("window"), window)) {
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> summaries = (List<Map<String, Object>>) s.get("summary");
                for (Map<String, Object> summary : summaries) {
                    if (summary.get("id").equals(id)) {
                        return summary;
                    }
                }
            }
        }
        return null;
    }

    private static @Nullable Double figure(@Nullable Map<String, Object> summary, String key) {
        if (summary == null) {
            return null;
        }
        double value = Rounds.number(summary, key);
        return Double.isNaN(value) ? null : value;
    }

    /** How a figure is held against its target. */
    private enum Check {

        AT_LEAST, AT_MOST, BELOW
    }

    private static Map<String, Object> goal(String name, @Nullable Double figure, String unit, @Nullable Double target,
            Check check) {
        Map<String, Object> goal = new LinkedHashMap<>();
        goal.put("goal", name);
        goal.put("figure", figure);
        goal.put("unit", unit);
        goal.put("target", target);
        String status;
        if (figure == null) {
            status = "NOT MEASURED";
        }
        else if (target == null) {
            status = "reported";
        }
        else {
            boolean met = switch (check) {
                case AT_LEAST -> figure >= target;
                case AT_MOST -> figure <= target;
                case BELOW -> figure < target;
            };
            status = met ? "met" : "MISSED";
        }
        goal.put("status", status);
        return goal;
    }
}
