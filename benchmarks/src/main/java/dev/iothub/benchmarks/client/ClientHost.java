package dev.iothub.benchmarks.client;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.MethodCalls;
import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.process.JvmCounters;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One device stack in a JVM of its own, driven by one JSON command a line on stdin; it answers each with one line,
 * {@code RESULT <json>} or {@code ERROR <message>}, after printing {@code READY <json>} (pid, JVM arguments, GC).
 * Everything else the libraries print goes to stderr. The JVM ends when stdin closes.
 * <p>
 * Commands ({@code op}): {@code warmup}, {@code run}, {@code latency} (open loop), {@code method-device},
 * {@code close-method-device} and {@code rest-methods}; see {@code benchmarks/README.md}. The connections of
 * {@code warmup}/{@code run}/{@code latency} stay open as {@link OpenSessions} keeps them, so a run measures
 * sending, not connecting.
 */
public final class ClientHost {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The name of this JVM ({@link StackKind#jvm()}). */
    private final String name;

    private final Map<StackKind, ClientStack> stacks = new LinkedHashMap<>();

    private final byte[] payload = Payloads.telemetryJson();

    private final OpenSessions sessions = new OpenSessions();

    private @Nullable AutoCloseable methodDevice;

    private @Nullable HttpClient http;

    private ClientHost(List<StackKind> kinds) {
        this.name = kinds.get(0).jvm();
        for (StackKind kind : kinds) {
            this.stacks.put(kind, kind.create());
        }
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        ClientHost host = new ClientHost(Arrays.stream(args[0].split(",")).map(StackKind::of).toList());
        protocol.println("READY " + JSON.writeValueAsString(host.describe()));
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = commands.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    protocol.println("RESULT " + JSON.writeValueAsString(host.execute(JSON.readTree(line))));
                }
                catch (Exception ex) {
                    ex.printStackTrace();
                    protocol.println("ERROR " + String.valueOf(ex).replace('\n', ' '));
                }
            }
        }
        finally {
            host.closeAll();
        }
    }

    private Map<String, Object> describe() {
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("jvm", this.name);
        hello.put("stacks", this.stacks.keySet().stream().map(StackKind::id).toList());
        hello.put("pid", ProcessHandle.current().pid());
        hello.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        hello.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        hello.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
            .toList());
        hello.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        return hello;
    }

    private Map<String, Object> execute(JsonNode command) throws Exception {
        Deadline deadline = Deadline.in(Duration.ofSeconds(command.path("timeoutSeconds").asLong(300)),
                this.name + " " + command.path("op").asString());
        return switch (command.path("op").asString()) {
            case "warmup" -> warmUp(command, deadline);
            case "run" -> run(command, deadline);
            case "latency" -> latency(command, deadline);
            case "method-device" -> openMethodDevice(command);
            case "close-method-device" -> closeMethodDevice();
            case "rest-methods" -> restMethods(command, deadline);
            default -> throw new IllegalArgumentException("unknown op " + command.path("op"));
        };
    }

    // The stack a command names, or the JVM's first.
    private StackKind kind(JsonNode command) {
        return command.has("stack") ? StackKind.of(command.path("stack").asString())
                : this.stacks.keySet().iterator().next();
    }

    private ClientSession session(JsonNode command) throws Exception {
        OpenSessions.Key key = new OpenSessions.Key(kind(command),
                JSON.treeToValue(command.get("target"), Target.class), command.path("window").asInt(100),
                command.path("connections").asInt(1));
        return this.sessions.get(key, (open) -> this.stacks.get(open.stack()).open(open.target(), open.window(),
                open.connections(), this.payload));
    }

    // Sends chunks sized to last about a second each until the last few chunk rates agree within the tolerance and
    // the minimum time has passed, or until the maximum time.
    private Map<String, Object> warmUp(JsonNode command, Deadline deadline) throws Exception {
        ClientSession warmed = session(command);
        double minSeconds = command.path("minSeconds").asDouble(10);
        double maxSeconds = command.path("maxSeconds").asDouble(40);
        double tolerance = command.path("tolerance").asDouble(0.05);
        int flatWindows = command.path("flatWindows").asInt(5);
        int chunk = command.path("firstChunk").asInt(1_000);
        List<Double> rates = new ArrayList<>();
        Double flatAfter = null;
        long start = System.nanoTime();
        double elapsed;
        do {
            long chunkStart = System.nanoTime();
            warmed.send(chunk, deadline);
            long now = System.nanoTime();
            double rate = chunk / ((now - chunkStart) / 1e9);
            rates.add(Math.rint(rate));
            elapsed = (now - start) / 1e9;
            chunk = (int) Math.max(100, Math.min(2_000_000, rate));
            if (flatAfter == null && isFlat(rates, flatWindows, tolerance)) {
                flatAfter = elapsed;
            }
        }
        while (elapsed < maxSeconds && (elapsed < minSeconds || !isFlat(rates, flatWindows, tolerance)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("seconds", elapsed);
        result.put("flatAfterSeconds", flatAfter);
        result.put("flatAtEnd", isFlat(rates, flatWindows, tolerance));
        result.put("windowRates", rates);
        return result;
    }

    // The last n rates each lie within the tolerance of their mean.
    static boolean isFlat(List<Double> rates, int n, double tolerance) {
        if (rates.size() < n) {
            return false;
        }
        List<Double> last = rates.subList(rates.size() - n, rates.size());
        double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return last.stream().allMatch((rate) -> Math.abs(rate - mean) <= tolerance * mean);
    }

    private Map<String, Object> run(JsonNode command, Deadline deadline) throws Exception {
        ClientSession running = session(command);
        int messages = command.path("messages").asInt();
        JvmCounters before = JvmCounters.now();
        long start = System.nanoTime();
        running.send(messages, deadline);
        long elapsed = System.nanoTime() - start;
        JvmCounters after = JvmCounters.now();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("messages", messages);
        result.put("elapsedNanos", elapsed);
        result.put("messagesPerSecond", messages / (elapsed / 1e9));
        result.putAll(after.perMessageSince(before, messages));
        return result;
    }

    private Map<String, Object> latency(JsonNode command, Deadline deadline) throws Exception {
        ClientSession offered = session(command);
        int rate = command.path("rate").asInt();
        int messages = command.path("messages").asInt();
        JvmCounters before = JvmCounters.now();
        long start = System.nanoTime();
        Histogram latencies = offered.openLoop(rate, messages, deadline);
        long elapsed = System.nanoTime() - start;
        JvmCounters after = JvmCounters.now();
        Map<String, Object> result = MethodCalls.percentiles(latencies);
        result.put("offeredPerSecond", rate);
        result.put("achievedPerSecond", messages / (elapsed / 1e9));
        result.putAll(after.perMessageSince(before, messages));
        return result;
    }

    private Map<String, Object> openMethodDevice(JsonNode command) throws Exception {
        closeMethodDevice();
        Target target = JSON.treeToValue(command.get("target"), Target.class);
        this.methodDevice = this.stacks.get(kind(command)).methodDevice(target, command.path("deviceId").asString());
        return Map.of("open", true);
    }

    private Map<String, Object> closeMethodDevice() throws Exception {
        if (this.methodDevice != null) {
            this.methodDevice.close();
            this.methodDevice = null;
        }
        return Map.of("open", false);
    }

    // The emulator's REST service API on loopback needs no authorization header.
    private Map<String, Object> restMethods(JsonNode command, Deadline deadline) throws Exception {
        if (this.http == null) {
            this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        }
        HttpClient client = this.http;
        URI uri = URI.create(command.path("url").asString() + "/twins/" + command.path("deviceId").asString()
                + "/methods?api-version=2021-04-12");
        return MethodCalls.time((i) -> {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"methodName\":\"echo\",\"responseTimeoutInSeconds\":10,"
                        + "\"payload\":{\"call\":" + i + "}}"))
                .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return response.statusCode();
            }
            return JSON.readTree(response.body()).path("status").asInt();
        }, command.path("warmUp").asInt(), 0, command.path("calls").asInt(), command.path("concurrency").asInt(1),
                deadline);
    }

    private void closeAll() {
        try {
            this.sessions.closeAll();
            closeMethodDevice();
        }
        catch (Exception ex) {
            System.err.println("close failed: " + ex);
        }
    }

}
