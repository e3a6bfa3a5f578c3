package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.iothub.benchmarks.client.StackKind;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark of issue 16: the emulator (and Mosquitto) pinned to one core, every client stack in a fresh JVM
 * pinned to the other, one warm-up per client JVM until its rate is flat, interleaved rounds, ratios to raw Paho
 * like-for-like in the same round, open-loop latency, direct methods, and the goals, all written as one JSON file.
 */
public final class Harness {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final HarnessOptions options;

    private final PrintStream out;

    private final Path work;

    private final Duration timeout;

    private final long ticksPerSecond;

    private final Map<String, Object> document = new LinkedHashMap<>();

    private final Map<StackKind, ClientProcess> clients = new LinkedHashMap<>();

    private final List<String> brokerLauncher = new ArrayList<>();

    private final List<String> clientLauncher = new ArrayList<>();

    private @Nullable EmulatorBroker emulator;

    private @Nullable MosquittoBroker mosquitto;

    private Harness(HarnessOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.work = options.output.toAbsolutePath().getParent().resolve("benchmark-work");
        this.timeout = Duration.ofSeconds(options.timeoutSeconds);
        this.ticksPerSecond = ticksPerSecond();
    }

    /** Parses the options, runs the scenarios and writes the JSON; answers the exit status. */
    public static int run(String[] args, Path defaultOutput, PrintStream out) throws Exception {
        if (List.of(args).contains("--help")) {
            out.print(HarnessOptions.USAGE);
            return 0;
        }
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args, defaultOutput);
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.err.print(HarnessOptions.USAGE);
            return 2;
        }
        Harness harness = new Harness(options, out);
        try {
            harness.runAll();
        }
        finally {
            harness.closeAll();
        }
        return 0;
    }

    private void runAll() throws Exception {
        Files.createDirectories(this.work);
        Map<String, Object> environment = RunEnvironment.capture(this.options);
        this.document.put("environment", environment);
        this.document.put("options", this.options.describe());
        pinning(environment);
        this.out.printf("IoT Hub benchmarks (issue 16 method): commit %s%s, load average %s, %s%n",
                environment.get("commit"), Boolean.TRUE.equals(environment.get("dirty")) ? " (dirty tree)" : "",
                environment.get("loadAverageAtStart"), environment.get("pinning"));
        this.emulator = EmulatorBroker.start(this.options.address, this.options.emulatorThreads, this.brokerLauncher,
                this.options.brokerJvmOptions, this.work);
        Map<String, Object> brokers = new LinkedHashMap<>();
        brokers.put("emulator", this.emulator.describe());
        this.document.put("brokers", brokers);
        if (this.options.scenarios.contains("broker")) {
            String unavailable = MosquittoBroker.unavailableReason();
            if (unavailable != null) {
                this.out.println("Mosquitto: " + unavailable + "; the broker reference is skipped");
                brokers.put("mosquitto", Map.of("skipped", unavailable));
            }
            else {
                this.mosquitto = MosquittoBroker.start(this.options.mosquittoAddress, this.brokerLauncher, this.work);
                brokers.put("mosquitto", this.mosquitto.describe());
            }
        }
        IdleScenario idle = null;
        if (this.options.scenarios.contains("idle")) {
            idle = new IdleScenario(emulator(), this.clientLauncher, this.work, this.options.idleSeconds,
                    this.options.idleSettleSeconds, this.options.idleSasSeconds, this.ticksPerSecond, this.out);
            idle.start();
        }
        Map<String, Object> seconds = new LinkedHashMap<>();
        environment.put("secondsPerPhase", seconds);
        timed(seconds, "clients", this::startClients);
        timed(seconds, "warm-up", this::warmUp);
        write();
        if (this.options.scenarios.contains("throughput")) {
            timed(seconds, "throughput", this::throughput);
            write();
        }
        if (this.options.scenarios.contains("broker") && this.mosquitto != null) {
            timed(seconds, "broker", this::brokerReference);
            write();
        }
        if (this.options.scenarios.contains("latency")) {
            timed(seconds, "latency", this::latency);
            write();
        }
        if (this.options.scenarios.contains("methods")) {
            timed(seconds, "methods", this::methods);
            write();
        }
        if (this.options.scenarios.contains("scale")) {
            timed(seconds, "scale", this::scale);
            write();
        }
        if (this.options.scenarios.contains("startup")) {
            timed(seconds, "startup", () -> this.document.put("startup", new StartupScenario(emulator(),
                    this.clientLauncher, this.work, this.options.startupRuns, this.options.startupVariants,
                    this.options.startupPairs, this.out).run()));
            write();
        }
        if (idle != null) {
            this.document.put("idle", idle.result());
        }
        environment.put("loadAverageAtEnd", RunEnvironment.loadAverage());
        environment.put("finishedAt", Instant.now().toString());
        environment.put("elapsedSeconds", Duration.between(Instant.parse((String) environment.get("startedAt")),
                Instant.now()).toSeconds());
        List<Map<String, Object>> goals = Goals.evaluate(this.document, this.options);
        this.document.put("goals", goals);
        Goals.print(goals, this.out);
        write();
        this.out.println();
        this.out.println("Results written to " + this.options.output.toAbsolutePath());
    }

    /** A phase of the run, timed for {@code environment.secondsPerPhase}. */
    @FunctionalInterface
    private interface Phase {

        void run() throws Exception;
    }

    private void timed(Map<String, Object> seconds, String phase, Phase body) throws Exception {
        long start = System.nanoTime();
        body.run();
        seconds.put(phase, Math.rint((System.nanoTime() - start) / 1e8) / 10);
    }

    private void pinning(Map<String, Object> environment) {
        String reason = null;
        if (!this.options.pin) {
            reason = "--no-pin";
        }
        else if (MosquittoBroker.run(List.of("sh", "-c", "command -v taskset")).isBlank()) {
            reason = "taskset is not installed";
        }
        else if (Runtime.getRuntime().availableProcessors() < 2) {
            reason = "fewer than 2 processors";
        }
        if (reason == null) {
            this.brokerLauncher.addAll(List.of("taskset", "-c", Integer.toString(this.options.brokerCpu)));
            this.clientLauncher.addAll(List.of("taskset", "-c", Integer.toString(this.options.clientCpu)));
            environment.put("pinning", "broker on core " + this.options.brokerCpu + ", each client JVM on core "
                    + this.options.clientCpu + " (taskset -c); this JVM unpinned and idle while runs are timed");
        }
        else {
            environment.put("pinning", "NOT pinned: " + reason + " (figures are not comparable with pinned runs)");
        }
        environment.put("brokerLauncher", this.brokerLauncher);
        environment.put("clientLauncher", this.clientLauncher);
    }

    private void startClients() throws Exception {
        Set<StackKind> needed = new LinkedHashSet<>();
        if (this.options.scenarios.contains("throughput")) {
            needed.addAll(this.options.stacks);
        }
        if (this.options.scenarios.contains("broker") && this.mosquitto != null) {
            needed.add(StackKind.PAHO);
            needed.add(StackKind.HIVEMQ);
        }
        if (this.options.scenarios.contains("latency")) {
            needed.addAll(this.options.latencyStacks);
        }
        if (this.options.scenarios.contains("methods")) {
            needed.addAll(this.options.methodStacks);
        }
        Map<String, List<StackKind>> byJvm = new LinkedHashMap<>();
        for (StackKind kind : needed) {
            byJvm.computeIfAbsent(kind.jvm(), (jvm) -> new ArrayList<>()).add(kind);
        }
        Map<String, Object> jvms = new LinkedHashMap<>();
        for (List<StackKind> kinds : byJvm.values()) {
            ClientProcess client = ClientProcess.start(kinds, this.clientLauncher, this.options.clientJvmOptions,
                    this.work);
            jvms.put(client.name(), client.hello());
            for (StackKind kind : kinds) {
                this.clients.put(kind, client);
                emulator().register(kind.id() + "-", 1);
            }
        }
        this.document.put("clientJvms", jvms);
    }

    // One warm-up per client JVM, one JVM at a time, on the emulator at the first window.
    private void warmUp() throws Exception {
        this.out.println();
        this.out.printf(Locale.ROOT, "== warm-up: each client JVM for %.0f to %.0f s, until %d consecutive ~1 s windows "
                + "lie within %.0f %% of their mean%n", this.options.warmUpMin, this.options.warmUpMax,
                this.options.flatWindows, 100 * this.options.flatTolerance);
        Map<String, Object> warmUps = new LinkedHashMap<>();
        for (ClientProcess client : processes()) {
            warmUps.put(client.name(), warmUp(client, client.warmUpStack(), firstWindow(), this.options.warmUpMin,
                    this.options.warmUpMax));
        }
        this.document.put("warmUps", warmUps);
    }

    // A series after the first warms each of its client JVMs again, on the series' own connections: a stack's code
    // paths differ by window (the starter's above all), and one priming run does not compile them.
    private Map<String, Object> rewarm(int window, List<Rounds.Entry> entries) {
        this.out.printf(Locale.ROOT, "== warm-up at window %d: each client JVM of the series for %.0f s%n", window,
                this.options.rewarmSeconds);
        Map<String, Object> warmUps = new LinkedHashMap<>();
        for (Rounds.Entry entry : entries) {
            ClientProcess client = entry.client();
            if (!warmUps.containsKey(client.name())) {
                warmUps.put(client.name(), warmUp(client, StackKind.of(entry.id()), window,
                        this.options.rewarmSeconds, this.options.rewarmSeconds));
            }
        }
        return warmUps;
    }

    private Object warmUp(ClientProcess client, StackKind kind, int window, double minSeconds, double maxSeconds) {
        Map<String, Object> command = runCommand(kind, emulator(), window, 1, 0);
        command.put("op", "warmup");
        command.put("minSeconds", minSeconds);
        command.put("maxSeconds", maxSeconds);
        command.put("flatWindows", this.options.flatWindows);
        command.put("tolerance", this.options.flatTolerance);
        command.put("firstChunk", (kind == StackKind.SDK_DEFAULTS) ? 500 : 2_000);
        command.put("timeoutSeconds", (long) maxSeconds + this.options.timeoutSeconds);
        try {
            JsonNode result = client.call(command, Duration.ofSeconds((long) maxSeconds).plus(this.timeout));
            JsonNode rates = result.path("windowRates");
            this.out.printf(Locale.ROOT, "  %-18s %5.1f s, %s, last window %,.0f msgs/s%n", kind.id(),
                    result.path("seconds").asDouble(), result.path("flatAfterSeconds").isNumber()
                            ? String.format(Locale.ROOT, "flat after %.1f s", result.path("flatAfterSeconds")
                                .asDouble()) : "NOT flat by the maximum",
                    rates.isEmpty() ? 0.0 : rates.get(rates.size() - 1).asDouble());
            return result;
        }
        catch (Exception ex) {
            this.out.printf("  %-18s FAILED: %s%n", kind.id(), ex);
            return Map.of("error", String.valueOf(ex));
        }
    }

    private int firstWindow() {
        return this.options.scenarios.contains("throughput") ? this.options.windows.get(0)
                : this.options.latencyWindow;
    }

    // The stacks at their defaults have window 100: they run in the series of window 100 (or the first one). Each
    // series after the first starts with a warm-up of its client JVMs at its window, and every series with one
    // unmeasured priming run per stack, on the connections of the series' window.
    private void throughput() {
        int defaultsWindow = this.options.windows.contains(100) ? 100 : this.options.windows.get(0);
        List<Map<String, Object>> series = new ArrayList<>();
        for (int window : this.options.windows) {
            List<Rounds.Entry> entries = new ArrayList<>();
            for (StackKind kind : this.options.stacks) {
                if (!kind.windowed() && window != defaultsWindow) {
                    continue;
                }
                int messages = (kind == StackKind.SDK_DEFAULTS) ? this.options.sdkMessages : this.options.messages;
                entries.add(new Rounds.Entry(kind.id(), kind.label(), this.clients.get(kind), emulator(),
                        runCommand(kind, emulator(), window, 1, messages)));
            }
            String reference = this.options.stacks.contains(StackKind.PAHO) ? StackKind.PAHO.id() : null;
            this.out.println();
            this.out.printf("== throughput, window %d: %d rounds of %s%n", window, this.options.rounds,
                    entries.stream().map(Rounds.Entry::id).toList());
            Map<String, Object> warmUps = (window == firstWindow()) ? Map.of() : rewarm(window, entries);
            List<Map<String, Object>> priming = Rounds.run("w" + window + " priming", entries, 1, this.timeout,
                    this.ticksPerSecond, this.out);
            List<Map<String, Object>> runs = Rounds.run("w" + window, entries, this.options.rounds, this.timeout,
                    this.ticksPerSecond, this.out);
            List<Map<String, Object>> summary = Rounds.summarize(runs, entries, reference);
            Rounds.print("throughput, window " + window + " (ratios: median of per-round ratios to " + reference
                    + " in the same round)", summary, this.out);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("window", window);
            result.put("reference", reference);
            if (!warmUps.isEmpty()) {
                result.put("warmUps", warmUps);
            }
            result.put("priming", priming);
            result.put("runs", runs);
            result.put("summary", summary);
            if (window == defaultsWindow && this.options.stacks.contains(StackKind.STARTER_DEFAULTS)
                    && this.options.stacks.contains(StackKind.SDK_DEFAULTS)) {
                result.put("starterDefaultsOverSdkDefaults", Rounds.ratios(runs, StackKind.STARTER_DEFAULTS.id(),
                        StackKind.SDK_DEFAULTS.id(), "messagesPerSecond"));
            }
            series.add(result);
        }
        this.document.put("throughput", series);
    }

    // The same client JVMs against both brokers: one connection, then many.
    private void brokerReference() throws Exception {
        MosquittoBroker reference = this.mosquitto;
        if (reference == null) {
            return;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        List<Broker> brokers = List.of(emulator(), reference);
        for (String mode : List.of("single", "aggregate")) {
            boolean single = mode.equals("single");
            List<Rounds.Entry> entries = new ArrayList<>();
            for (StackKind kind : List.of(StackKind.PAHO, StackKind.HIVEMQ)) {
                for (Broker broker : brokers) {
                    Map<String, Object> command = single
                            ? runCommand(kind, broker, this.options.brokerWindow, 1, this.options.messages)
                            : runCommand(kind, broker, this.options.aggregateWindow,
                                    this.options.aggregateConnections, this.options.aggregateMessages);
                    if (!single) {
                        String prefix = kind.id() + "-agg-";
                        broker.register(prefix, this.options.aggregateConnections);
                        command.put("target", broker.target(prefix));
                    }
                    entries.add(new Rounds.Entry(kind.id() + "@" + broker.name(), kind.label(),
                            this.clients.get(kind), broker, command));
                }
            }
            this.out.println();
            this.out.printf("== broker reference, %s: %s%n", single
                    ? "one connection, window " + this.options.brokerWindow
                    : this.options.aggregateConnections + " connections, window " + this.options.aggregateWindow
                            + " each", entries.stream().map(Rounds.Entry::id).toList());
            List<Map<String, Object>> runs = Rounds.run(mode, entries, this.options.rounds, this.timeout,
                    this.ticksPerSecond, this.out);
            List<Map<String, Object>> summary = new ArrayList<>();
            for (StackKind kind : List.of(StackKind.PAHO, StackKind.HIVEMQ)) {
                summary.addAll(Rounds.summarize(runs, entries.stream()
                    .filter((e) -> e.id().startsWith(kind.id() + "@")).toList(), kind.id() + "@mosquitto"));
            }
            Rounds.print("broker reference, " + mode + " (ratios: emulator over Mosquitto, same client, same round)",
                    summary, this.out);
            result.put(mode, Map.of("runs", runs, "summary", summary));
        }
        this.document.put("broker", result);
    }

    private void latency() throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        List<StackKind> stacks = this.options.latencyStacks;
        this.out.println();
        this.out.printf("== open-loop latency, publish to PUBACK from the scheduled send time, window %d, %d s per "
                + "stack and rate%n", this.options.latencyWindow, this.options.latencySeconds);
        for (int r = 0; r < this.options.latencyRates.size(); r++) {
            int rate = this.options.latencyRates.get(r);
            for (int i = 0; i < stacks.size(); i++) {
                StackKind kind = stacks.get((i + r) % stacks.size());
                Map<String, Object> command = runCommand(kind, emulator(), this.options.latencyWindow, 1, 0);
                command.put("op", "latency");
                command.put("rate", rate);
                command.put("messages", rate * this.options.latencySeconds);
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("id", kind.id());
                record.put("offeredPerSecond", rate);
                try {
                    JsonNode result = this.clients.get(kind).call(command, this.timeout);
                    result.properties().forEach((field) -> record.put(field.getKey(), field.getValue()));
                    this.out.printf(Locale.ROOT, "  %6d msgs/s  %-18s p50 %7.3f  p99 %7.3f  p99.9 %7.3f  max %8.3f ms"
                            + "  (achieved %,.0f msgs/s, client %.1f us/msg)%n", rate, kind.id(),
                            Rounds.number(record, "p50Millis"), Rounds.number(record, "p99Millis"),
                            Rounds.number(record, "p999Millis"), Rounds.number(record, "maxMillis"),
                            Rounds.number(record, "achievedPerSecond"), Rounds.number(record, "cpuMicrosPerMessage"));
                }
                catch (Exception ex) {
                    record.put("error", String.valueOf(ex));
                    this.out.printf("  %6d msgs/s  %-18s FAILED: %s%n", rate, kind.id(), ex);
                }
                results.add(record);
            }
        }
        this.document.put("latency", results);
    }

    // Java API calls come from the emulator's JVM (as a test in the same JVM would make them), REST calls from the
    // device's JVM over loopback HTTP.
    private void methods() throws Exception {
        List<Map<String, Object>> results = new ArrayList<>();
        EmulatorBroker hub = emulator();
        this.out.println();
        this.out.printf("== direct methods: echo, sequential and %d concurrent callers%n",
                this.options.methodConcurrency);
        for (StackKind kind : this.options.methodStacks) {
            ClientProcess client = this.clients.get(kind);
            String prefix = "methods-" + kind.id() + "-";
            String deviceId = prefix + "0";
            int calls = (kind == StackKind.SDK_DEFAULTS) ? this.options.sdkMethodCalls : this.options.methodCalls;
            int warmUp = Math.max(20, Math.min(500, calls / 4));
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", kind.id());
            try {
                hub.register(prefix, 1);
                client.call(Map.of("op", "method-device", "stack", kind.id(), "target", hub.target(prefix),
                        "deviceId", deviceId),
                        this.timeout);
                for (int concurrency : List.of(1, this.options.methodConcurrency)) {
                    String mode = (concurrency == 1) ? "sequential" : "concurrent";
                    // The first calls of a device warm its method path (and the emulator's) for all modes; the SDK at
                    // its defaults polls every 10 ms, so its calls are bound by that, not by the JIT.
                    double warmUpSeconds = (concurrency == 1 && kind != StackKind.SDK_DEFAULTS)
                            ? this.options.methodWarmUpSeconds : 0;
                    JsonNode java = hub.command("methods " + deviceId + " " + warmUp + " " + warmUpSeconds + " "
                            + calls + " " + concurrency, this.timeout);
                    record.put("javaApi " + mode, java);
                    printMethods(kind, "Java API", mode, java);
                    Map<String, Object> rest = new LinkedHashMap<>();
                    rest.put("op", "rest-methods");
                    rest.put("url", hub.restUrl());
                    rest.put("deviceId", deviceId);
                    rest.put("warmUp", warmUp);
                    rest.put("calls", calls);
                    rest.put("concurrency", concurrency);
                    rest.put("timeoutSeconds", this.options.timeoutSeconds);
                    JsonNode viaRest = client.call(rest, this.timeout);
                    record.put("rest " + mode, viaRest);
                    printMethods(kind, "REST", mode, viaRest);
                }
                client.call(Map.of("op", "close-method-device"), this.timeout);
            }
            catch (Exception ex) {
                record.put("error", String.valueOf(ex));
                this.out.printf("  %-18s FAILED: %s%n", kind.id(), ex);
            }
            results.add(record);
        }
        this.document.put("methods", results);
    }

    private void scale() throws Exception {
        this.document.put("scale", new ScaleScenario(emulator(), this.options, this.clientLauncher, this.work,
                this.ticksPerSecond, this.out).run());
    }

    private void printMethods(StackKind kind, String api, String mode, JsonNode result) {
        this.out.printf(Locale.ROOT, "  %-18s %-8s %-10s p50 %7.3f  p99 %7.3f  p99.9 %7.3f  max %8.3f ms  %,8.0f calls/s"
                + " (%d calls)%n", kind.id(), api, mode, result.path("p50Millis").asDouble(),
                result.path("p99Millis").asDouble(), result.path("p999Millis").asDouble(),
                result.path("maxMillis").asDouble(), result.path("callsPerSecond").asDouble(),
                result.path("calls").asInt());
    }

    private Map<String, Object> runCommand(StackKind kind, Broker broker, int window, int connections, int messages) {
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("op", "run");
        command.put("stack", kind.id());
        command.put("target", broker.target(kind.id() + "-"));
        command.put("window", window);
        command.put("connections", connections);
        command.put("messages", messages);
        command.put("timeoutSeconds", this.options.timeoutSeconds);
        return command;
    }

    private EmulatorBroker emulator() {
        EmulatorBroker hub = this.emulator;
        if (hub == null) {
            throw new IllegalStateException("the emulator is not running");
        }
        return hub;
    }

    private void write() throws IOException {
        Files.createDirectories(this.options.output.toAbsolutePath().getParent());
        JSON.writeValue(this.options.output.toFile(), this.document);
    }

    // Each client JVM once (the channel stacks share one).
    private Set<ClientProcess> processes() {
        return new LinkedHashSet<>(this.clients.values());
    }

    private void closeAll() {
        for (ClientProcess client : processes()) {
            try {
                client.close();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        for (Broker broker : new Broker[] { this.mosquitto, this.emulator }) {
            if (broker != null) {
                try {
                    broker.close();
                }
                catch (Exception ex) {
                    this.out.println("warning: closing " + broker.name() + " failed: " + ex);
                }
            }
        }
    }

    private static long ticksPerSecond() {
        try {
            return Long.parseLong(MosquittoBroker.run(List.of("getconf", "CLK_TCK")).trim());
        }
        catch (NumberFormatException ex) {
            return 100;
        }
    }
}
