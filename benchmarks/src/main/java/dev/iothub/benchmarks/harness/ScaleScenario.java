package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.Target;
import dev.iothub.benchmarks.process.ChildJvm;
import dev.iothub.benchmarks.process.ProcessCpu;
import dev.iothub.benchmarks.process.ProcessMemory;
import dev.iothub.benchmarks.scale.ScaleFleetHost;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Scale: for each fleet size N, N simulated devices in one JVM on the client core ({@link ScaleFleetHost}) connect to
 * the emulator in the broker JVM, each with a full TLS handshake and its own SAS token, then each sends one QoS 1
 * message a second for a fixed time. It reports the connect rate, the acknowledged rate against the offered one,
 * PUBACK latency, the broker's CPU per message and handshake, its heap (after full collections) and RSS with the
 * devices connected against before, per device, and the fleet JVM's RSS. {@code max} ramps on in steps until a size
 * fails or a bound (time, open files, broker heap) stops it.
 */
final class ScaleScenario {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String PREFIX = "scale-";

    /**
     * Handshakes the fleet keeps in progress while connecting: enough to keep both cores busy, few enough that on a
     * slow or busy machine no handshake waits near the emulator's limits (10 s for the handshake, Netty's default,
     * and 30 s from accept to CONNECT).
     */
    private static final int CONNECTS_IN_PROGRESS = 16;

    /** How long the fleet waits for the last PUBACKs after the last scheduled message. */
    private static final int DRAIN_SECONDS = 10;

    /** The open-file limit asked for both JVMs (bounded by {@code fs.nr_open} and privileges). */
    private static final long OPEN_FILES_WANTED = 262_144;

    private final EmulatorBroker emulator;

    private final HarnessOptions options;

    private final List<String> launcher;

    private final Path work;

    private final long ticksPerSecond;

    private final PrintStream out;

    ScaleScenario(EmulatorBroker emulator, HarnessOptions options, List<String> launcher, Path work,
            long ticksPerSecond, PrintStream out) {
        this.emulator = emulator;
        this.options = options;
        this.launcher = launcher;
        this.work = work;
        this.ticksPerSecond = ticksPerSecond;
        this.out = out;
    }

    Map<String, Object> run() throws Exception {
        long start = System.nanoTime();
        long budget = TimeUnit.SECONDS.toNanos(this.options.scaleBudgetSeconds);
        ScaleSteps steps = this.options.scaleSteps;
        List<String> sources = new ArrayList<>();
        for (int k = 1; k <= this.options.scaleSourceAddresses; k++) {
            sources.add("127.0.1." + k);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("secondsPerSize", this.options.scaleSeconds);
        result.put("connectsInProgress", CONNECTS_IN_PROGRESS);
        result.put("drainSeconds", DRAIN_SECONDS);
        result.put("sourceAddresses", sources);
        this.out.println();
        this.out.printf(Locale.ROOT, "== scale: N devices in one client JVM, full TLS handshakes, 1 msg/s each for %d s;"
                + " sizes %s%s, budget %d s%n", this.options.scaleSeconds, steps.fixed(),
                steps.max() ? " then +" + steps.step() + " until one fails" : "", this.options.scaleBudgetSeconds);
        List<Map<String, Object>> sizes = new ArrayList<>();
        result.put("sizes", sizes);
        try (ChildJvm fleet = ChildJvm.spawn(this.launcher, ScaleFleetHost.class, this.options.scaleClientJvmOptions,
                List.of(), this.work.resolve("client-scale.log"))) {
            JsonNode hello = JSON.readTree(fleet.await("READY ", Deadline.in(Duration.ofSeconds(60), "fleet start")));
            result.put("clientJvm", hello);
            long brokerFiles = raiseOpenFiles(this.emulator.pid());
            long fleetFiles = raiseOpenFiles(fleet.pid());
            result.put("openFileLimits", Map.of("broker", brokerFiles, "client", fleetFiles));
            long openFiles = (brokerFiles < 0 || fleetFiles < 0) ? Math.max(brokerFiles, fleetFiles)
                    : Math.min(brokerFiles, fleetFiles);
            this.out.printf(Locale.ROOT, "  open-file limits: broker %,d, client %,d; sources %s..%s%n", brokerFiles,
                    fleetFiles, sources.get(0), sources.get(sources.size() - 1));
            printHeader();
            Integer largestHeld = null;
            String stoppedBecause = null;
            List<Integer> fixed = steps.fixed();
            int next = fixed.isEmpty() ? steps.firstRampSize() : fixed.get(0);
            for (int index = 1; true; index++) {
                if (!sizes.isEmpty()) {
                    String bound = bound(sizes, next, System.nanoTime() - start, budget, openFiles);
                    if (bound != null) {
                        stoppedBecause = String.format(Locale.ROOT, "%,d devices not run, %s", next, bound);
                        break;
                    }
                }
                long remaining = Math.max(TimeUnit.SECONDS.toNanos(60), budget - (System.nanoTime() - start));
                Map<String, Object> size = size(fleet, next, sources, TimeUnit.NANOSECONDS.toSeconds(remaining));
                sizes.add(size);
                if (size.get("failure") != null) {
                    stoppedBecause = String.format(Locale.ROOT, "%,d devices did not hold: %s", next,
                            size.get("failure"));
                    break;
                }
                largestHeld = next;
                if (index < fixed.size()) {
                    next = fixed.get(index);
                }
                else if (steps.max() && steps.nextRampSize(next, openFiles) > 0) {
                    next = steps.nextRampSize(next, openFiles);
                }
                else if (steps.max()) {
                    stoppedBecause = String.format(Locale.ROOT, "open files: %,d connections fill the limit of %,d "
                            + "(ulimit -n) less %d for the JVMs' own files", next, openFiles,
                            ScaleSteps.FILES_RESERVED);
                    break;
                }
                else {
                    break;
                }
            }
            result.put("largestHeld", largestHeld);
            result.put("stoppedBecause", stoppedBecause);
            result.put("elapsedSeconds", (System.nanoTime() - start) / 1e9);
            this.out.printf(Locale.ROOT, "  largest N that held: %s; %s; scale took %.0f s%n",
                    (largestHeld != null) ? String.format(Locale.ROOT, "%,d", largestHeld) : "none",
                    (stoppedBecause != null) ? "stopped: " + stoppedBecause : "every size held",
                    (System.nanoTime() - start) / 1e9);
        }
        return result;
    }

    // One fleet size: measure the broker without connections, connect, send, measure, disconnect, wait for the drop.
    private Map<String, Object> size(ChildJvm fleet, int devices, List<String> sources, long connectSeconds)
            throws Exception {
        long stepStart = System.nanoTime();
        Duration timeout = Duration.ofSeconds(this.options.timeoutSeconds);
        long brokerPid = this.emulator.pid();
        Map<String, Object> size = new LinkedHashMap<>();
        size.put("devices", devices);
        this.emulator.register(PREFIX, devices);
        this.emulator.command("clear", timeout);
        JsonNode before = this.emulator.command("memory", timeout);
        Target target = this.emulator.target(PREFIX);
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("op", "connect");
        connect.put("host", target.host());
        connect.put("port", target.port());
        connect.put("caPem", target.caPem());
        connect.put("prefix", PREFIX);
        connect.put("key", target.key());
        connect.put("count", devices);
        connect.put("localAddresses", sources);
        connect.put("inProgress", CONNECTS_IN_PROGRESS);
        connect.put("timeoutSeconds", connectSeconds);
        long brokerCpuStart = ProcessCpu.nanosOf(brokerPid, this.ticksPerSecond);
        JsonNode connected = call(fleet, connect, Duration.ofSeconds(connectSeconds));
        long brokerCpuConnected = ProcessCpu.nanosOf(brokerPid, this.ticksPerSecond);
        int count = connected.path("connected").asInt();
        size.put("connected", count);
        size.put("connectError", connected.path("error").isNull() ? null : connected.path("error").asString());
        size.put("fullHandshakes", connected.path("fullHandshakes").asLong());
        double connectElapsed = connected.path("elapsedNanos").asLong() / 1e9;
        size.put("connectSeconds", connectElapsed);
        size.put("connectsPerSecond", count / connectElapsed);
        size.put("brokerCpuMicrosPerConnect", (brokerCpuConnected - brokerCpuStart) / 1e3 / Math.max(1, count));
        size.put("clientCpuMicrosPerConnect", connected.path("cpuNanos").asLong() / 1e3 / Math.max(1, count));
        long acknowledged = 0;
        if (count > 0) {
            JsonNode traffic = call(fleet, Map.of("op", "traffic", "seconds", this.options.scaleSeconds,
                    "drainSeconds", DRAIN_SECONDS), timeout.plusSeconds(this.options.scaleSeconds + DRAIN_SECONDS));
            long brokerCpuTraffic = ProcessCpu.nanosOf(brokerPid, this.ticksPerSecond);
            acknowledged = traffic.path("acknowledged").asLong();
            size.put("offeredPerSecond", count);
            size.put("sent", traffic.path("sent").asLong());
            size.put("acknowledged", acknowledged);
            size.put("skipped", traffic.path("skipped").asLong());
            size.put("lostConnections", traffic.path("lostConnections").asLong());
            size.put("acknowledgedPerSecond", (double) acknowledged / this.options.scaleSeconds);
            size.put("acknowledgedOfOffered", (double) acknowledged / ((long) devices * this.options.scaleSeconds));
            for (String percentile : List.of("p50Millis", "p99Millis", "p999Millis", "maxMillis")) {
                size.put(percentile, traffic.path(percentile).asDouble());
            }
            size.put("brokerCpuMicrosPerMessage", (brokerCpuTraffic - brokerCpuConnected) / 1e3
                    / Math.max(1, acknowledged));
            size.put("clientCpuMicrosPerMessage", traffic.path("cpuNanos").asLong() / 1e3
                    / Math.max(1, traffic.path("sent").asLong()));
        }
        this.emulator.command("clear", timeout);
        JsonNode after = this.emulator.command("memory", timeout);
        long heapBefore = before.path("heapUsedAfterGcBytes").asLong();
        long heapAfter = after.path("heapUsedAfterGcBytes").asLong();
        size.put("brokerHeapBeforeBytes", heapBefore);
        size.put("brokerHeapAfterBytes", heapAfter);
        size.put("brokerHeapMaxBytes", after.path("heapMaxBytes").asLong());
        size.put("brokerRssBeforeKib", before.path("rssKib").asLong());
        size.put("brokerRssAfterKib", after.path("rssKib").asLong());
        size.put("brokerHeapBytesPerDevice", ScaleSteps.perDevice(heapAfter, heapBefore, count));
        size.put("brokerRssBytesPerDevice", ScaleSteps.perDevice(after.path("rssKib").asLong() * 1024.0,
                before.path("rssKib").asLong() * 1024.0, count));
        size.put("clientRssKib", ProcessMemory.residentKib(fleet.pid()));
        call(fleet, Map.of("op", "disconnect"), timeout);
        size.put("dropSeconds", awaitDropped(devices, timeout));
        size.put("connectNanos", connected.path("elapsedNanos").asLong());
        size.put("stepNanos", System.nanoTime() - stepStart);
        String failure = ScaleSteps.failure(devices, count, (String) size.get("connectError"),
                (long) size.get("fullHandshakes"), acknowledged, this.options.scaleSeconds);
        size.put("failure", failure);
        print(size);
        return size;
    }

    private @Nullable String bound(List<Map<String, Object>> sizes, int next, long elapsedNanos, long budgetNanos,
            long openFiles) {
        Map<String, Object> last = sizes.get(sizes.size() - 1);
        long projected = ScaleSteps.projectedNanos((int) last.get("devices"), (long) last.get("connectNanos"),
                (long) last.get("stepNanos"), next);
        return ScaleSteps.boundBefore(next, elapsedNanos, projected, budgetNanos, openFiles,
                (long) last.get("brokerHeapBeforeBytes"), (double) last.get("brokerHeapBytesPerDevice"),
                (long) last.get("brokerHeapMaxBytes"));
    }

    // Polls the emulator every 100 ms until none of the devices is connected any more.
    private double awaitDropped(int devices, Duration timeout) throws Exception {
        long start = System.nanoTime();
        Deadline deadline = Deadline.in(timeout, "scale: the emulator drops " + devices + " devices");
        while (this.emulator.command("connected " + PREFIX + " " + devices, timeout).path("connected").asInt() > 0) {
            deadline.check();
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static JsonNode call(ChildJvm fleet, Map<String, Object> command, Duration timeout) throws Exception {
        fleet.send(JSON.writeValueAsString(command));
        return JSON.readTree(fleet.await("RESULT ", Deadline.in(timeout.plusSeconds(30), "scale " + command.get("op"))));
    }

    // As root, prlimit raises a running process's limit; otherwise the limit stays and bounds the ramp.
    private static long raiseOpenFiles(long pid) throws IOException {
        long wanted = OPEN_FILES_WANTED;
        Path nrOpen = Path.of("/proc/sys/fs/nr_open");
        if (Files.exists(nrOpen)) {
            // readAllLines, not readString: readString trusts the size procfs reports and returns a single byte here.
            wanted = Math.min(wanted, Long.parseLong(Files.readAllLines(nrOpen).get(0).trim()));
        }
        MosquittoBroker.run(List.of("prlimit", "--pid", Long.toString(pid), "--nofile=" + wanted + ":" + wanted));
        return openFiles(pid);
    }

    /** The soft open-file limit of a process, from {@code /proc/<pid>/limits}, or -1. */
    private static long openFiles(long pid) throws IOException {
        Path limits = Path.of("/proc", Long.toString(pid), "limits");
        if (!Files.exists(limits)) {
            return -1;
        }
        for (String line : Files.readAllLines(limits)) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[0]);
            }
        }
        return -1;
    }

    private void printHeader() {
        this.out.printf("  %7s %7s %8s %7s | %9s %9s %6s | %8s %8s | %7s %7s | %8s %8s %7s %7s | %7s | %s%n",
                "N", "conn", "conn s", "conn/s", "acked/s", "offered/s", "acked", "p50 ms", "p99 ms", "bus/msg",
                "bus/con", "heap MiB", "RSS MiB", "heapKiB", "RSS KiB", "cli MiB", "result");
        this.out.printf("  %7s %7s %8s %7s | %9s %9s %6s | %8s %8s | %7s %7s | %8s %8s %7s %7s | %7s |%n", "", "",
                "", "", "", "", "", "", "", "(broker", "CPU µs)", "(broker", "after)", "/device", "/device",
                "RSS", "");
    }

    private void print(Map<String, Object> size) {
        this.out.printf(Locale.ROOT, "  %,7d %,7d %8.1f %,7.0f | %,9.0f %,9d %5.1f%% | %8.2f %8.2f | %7.1f %7.0f | "
                + "%8.1f %8.1f %7.2f %7.2f | %,7.0f | %s, %,d full TLS handshakes%n", size.get("devices"), size.get("connected"),
                size.get("connectSeconds"), size.get("connectsPerSecond"),
                Rounds.number(size, "acknowledgedPerSecond"), size.getOrDefault("offeredPerSecond", 0),
                100 * Rounds.number(size, "acknowledgedOfOffered"), Rounds.number(size, "p50Millis"),
                Rounds.number(size, "p99Millis"), Rounds.number(size, "brokerCpuMicrosPerMessage"),
                Rounds.number(size, "brokerCpuMicrosPerConnect"),
                ((long) size.get("brokerHeapAfterBytes")) / 1048576.0,
                ((long) size.get("brokerRssAfterKib")) / 1024.0,
                ((double) size.get("brokerHeapBytesPerDevice")) / 1024,
                ((double) size.get("brokerRssBytesPerDevice")) / 1024, ((long) size.get("clientRssKib")) / 1024.0,
                (size.get("failure") == null) ? "held" : "FAILED: " + size.get("failure"), size.get("fullHandshakes"));
    }
}
