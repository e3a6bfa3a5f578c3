package dev.iothub.benchmarks.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.iothub.benchmarks.client.StackKind;

/**
 * What the harness runs and how big, from the command line; {@link #USAGE} lists every option and its default.
 */
final class HarnessOptions {

    /** The scenarios run when none is named: all of them ({@code idle} runs alongside the others). */
    static final List<String> DEFAULT_SCENARIOS = List.of("throughput", "broker", "latency", "methods", "scale",
            "startup", "idle");

    /** Every scenario. */
    static final List<String> ALL_SCENARIOS = DEFAULT_SCENARIOS;

    static final String USAGE = """
            java -jar benchmarks/target/iothub-benchmarks.jar [scenario...] [options]   (or: benchmarks/run ...)
              scenarios: throughput broker latency methods scale startup idle (default: all)
              legacy scenarios of the earlier, in-process method: java -jar ... legacy startup|scale [--help]
            throughput (every stack in its own JVM, interleaved rounds, ratios to raw Paho like-for-like):
              --stacks S,...            client stacks (all: %s)
              --windows W,...           in-flight windows, one series each (100,1000)
              --messages N              messages per run (50000)
              --sdk-messages N          messages per run of sdk-defaults, ~1,000 msgs/s by design (5000)
              --rounds N                interleaved rounds (5)
              --warmup-min S            minimum warm-up per client JVM, seconds (10)
              --warmup-max S            warm-up stops here even if the rate is not flat, seconds (25)
              --rewarm-seconds S        warm-up of each client JVM again at each further window (10)
              --flat-windows N          consecutive ~1 s windows that must agree (5)
              --flat-tolerance F        ... each within this fraction of their mean (0.05)
            broker (raw Paho and HiveMQ against the emulator and Mosquitto, same JVMs):
              --broker-window W         window of the single-connection runs (1000)
              --aggregate-connections N connections of the aggregate runs (100)
              --aggregate-window W      window per connection of the aggregate runs (10)
              --aggregate-messages N    messages per aggregate run, over all connections (50000)
            latency (open loop, publish to PUBACK, from the scheduled send time):
              --latency-stacks S,...    (paho,hivemq,starter-defaults,starter)
              --latency-rates R,...     offered msgs/s (1000,10000)
              --latency-seconds S       per stack and rate (5)
              --latency-window W        window of the windowed stacks (100)
            methods (Java API from the broker JVM, REST from the device's JVM):
              --method-stacks S,...     (paho,starter-defaults,sdk-defaults,sdk-tuned)
              --method-calls N          timed calls per stack and mode (2000)
              --sdk-method-calls N      timed calls for sdk-defaults, ~10 ms each by design (300)
              --method-concurrency N    concurrent callers of the concurrent mode (16)
              --method-warmup-seconds S unmeasured sequential Java API calls per device before the first mode, but
                                        sdk-defaults' (10 ms a call by design) (15)
            scale (N devices in one client JVM, full TLS handshakes, 1 msg/s each; the emulator in the broker JVM):
              --scale-devices N,...     fleet sizes; max ramps on until a size fails or a bound (1000,10000,max)
              --scale-seconds S         traffic time of each size, after all are connected (10)
              --scale-step N            increment of the max ramp (10000)
              --scale-budget-seconds S  the ramp starts no size that would end after this (180)
              --scale-source-addresses K  client sockets bound round-robin to 127.0.1.1..127.0.1.K (8)
              --scale-client-jvm-options "…"  the fleet JVM's options (-Xmx2g)
            startup (bare Boot and starter fat jars: as built, CDS, AOT, AOT+CDS; SDK app: plain, CDS):
              --startup-runs N          interleaved rounds (3)
              --startup-variants V,...  of the Boot apps: fat-jar,cds,aot,aot+cds (fat-jar,aot+cds)
              --startup-pairs P,...     bare vs starter apps: minimal (no web), web (MVC + actuator) (minimal)
            idle (one starter app at 1 msg/s across SAS renewals, alongside the other scenarios):
              --idle-seconds S          measured time (600)
              --idle-settle-seconds S   unmeasured time after connecting (30)
              --idle-sas-seconds S      SAS token time to live, renewed at 85 %% (120)
            machine:
              --address A               emulator address and hub name; it binds A:8883 for the SDK (127.0.0.5)
              --mosquitto-address A     Mosquitto's address, on a free port (127.0.0.6)
              --broker-cpu C            core of the broker process (0)
              --client-cpu C            core of every client JVM (1)
              --no-pin                  do not use taskset
              --emulator-threads N      emulator I/O threads (1: it has one core)
              --client-jvm-options "…"  (-Xms512m -Xmx512m)
              --broker-jvm-options "…"  (-Xms1g -Xmx1g)
              --timeout-seconds S       bound of every single step (300)
              --output FILE             results as JSON (benchmarks/target/benchmark-results.json)
            """.formatted(String.join(",", Arrays.stream(StackKind.values()).map(StackKind::id).toList()));

    final List<String> scenarios;

    final List<StackKind> stacks;

    final List<Integer> windows;

    final int messages;

    final int sdkMessages;

    final int rounds;

    final double warmUpMin;

    final double warmUpMax;

    final double rewarmSeconds;

    final int flatWindows;

    final double flatTolerance;

    final int brokerWindow;

    final int aggregateConnections;

    final int aggregateWindow;

    final int aggregateMessages;

    final List<StackKind> latencyStacks;

    final List<Integer> latencyRates;

    final int latencySeconds;

    final int latencyWindow;

    final List<StackKind> methodStacks;

    final int methodCalls;

    final int sdkMethodCalls;

    final int methodConcurrency;

    final double methodWarmUpSeconds;

    final ScaleSteps scaleSteps;

    final int scaleSeconds;

    final int scaleBudgetSeconds;

    final int scaleSourceAddresses;

    final List<String> scaleClientJvmOptions;

    final int startupRuns;

    final List<StartupVariant> startupVariants;

    final List<StartupScenario.Pair> startupPairs;

    final int idleSeconds;

    final int idleSettleSeconds;

    final int idleSasSeconds;

    final String address;

    final String mosquittoAddress;

    final int brokerCpu;

    final int clientCpu;

    final boolean pin;

    final int emulatorThreads;

    final List<String> clientJvmOptions;

    final List<String> brokerJvmOptions;

    final int timeoutSeconds;

    final Path output;

    private HarnessOptions(Map<String, String> values, Set<String> scenarios, boolean pin, Path defaultOutput) {
        this.scenarios = new ArrayList<>(scenarios.isEmpty() ? DEFAULT_SCENARIOS : scenarios);
        this.stacks = stacks(values.getOrDefault("--stacks", String.join(",",
                Arrays.stream(StackKind.values()).map(StackKind::id).toList())));
        this.windows = numbers("--windows", values.getOrDefault("--windows", "100,1000"));
        this.messages = number(values, "--messages", 50_000);
        this.sdkMessages = number(values, "--sdk-messages", 5_000);
        this.rounds = number(values, "--rounds", 5);
        this.warmUpMin = decimal(values, "--warmup-min", 10);
        this.warmUpMax = Math.max(this.warmUpMin, decimal(values, "--warmup-max", 25));
        this.rewarmSeconds = decimal(values, "--rewarm-seconds", 10);
        this.flatWindows = number(values, "--flat-windows", 5);
        this.flatTolerance = decimal(values, "--flat-tolerance", 0.05);
        this.brokerWindow = number(values, "--broker-window", 1_000);
        this.aggregateConnections = number(values, "--aggregate-connections", 100);
        this.aggregateWindow = number(values, "--aggregate-window", 10);
        this.aggregateMessages = number(values, "--aggregate-messages", 50_000);
        this.latencyStacks = stacks(values.getOrDefault("--latency-stacks", "paho,hivemq,starter-defaults,starter"));
        this.latencyRates = numbers("--latency-rates", values.getOrDefault("--latency-rates", "1000,10000"));
        this.latencySeconds = number(values, "--latency-seconds", 5);
        this.latencyWindow = number(values, "--latency-window", 100);
        this.methodStacks = stacks(values.getOrDefault("--method-stacks", "paho,starter-defaults,sdk-defaults,sdk-tuned"));
        this.methodCalls = number(values, "--method-calls", 2_000);
        this.sdkMethodCalls = number(values, "--sdk-method-calls", 300);
        this.methodConcurrency = number(values, "--method-concurrency", 16);
        this.methodWarmUpSeconds = decimal(values, "--method-warmup-seconds", 15);
        this.scaleSteps = ScaleSteps.parse("--scale-devices", values.getOrDefault("--scale-devices", "1000,10000,max"),
                number(values, "--scale-step", 10_000));
        this.scaleSeconds = number(values, "--scale-seconds", 10);
        this.scaleBudgetSeconds = number(values, "--scale-budget-seconds", 180);
        this.scaleSourceAddresses = number(values, "--scale-source-addresses", 8);
        if (this.scaleSourceAddresses > 254) {
            throw new IllegalArgumentException("--scale-source-addresses is at most 254 (127.0.1.1..127.0.1.254)");
        }
        this.scaleClientJvmOptions = words(values.getOrDefault("--scale-client-jvm-options", "-Xmx2g"));
        this.startupRuns = number(values, "--startup-runs", 3);
        String variants = values.getOrDefault("--startup-variants", "fat-jar,aot+cds");
        this.startupVariants = Arrays.stream(variants.split(",")).map(String::trim).filter((s) -> !s.isEmpty())
            .map(StartupVariant::of).distinct().toList();
        this.startupPairs = Arrays.stream(values.getOrDefault("--startup-pairs", "minimal").split(","))
            .map(String::trim).filter((s) -> !s.isEmpty()).map(HarnessOptions::startupPair).distinct().toList();
        this.idleSeconds = number(values, "--idle-seconds", 600);
        this.idleSettleSeconds = number(values, "--idle-settle-seconds", 30);
        this.idleSasSeconds = number(values, "--idle-sas-seconds", 120);
        this.address = loopback("--address", values.getOrDefault("--address", "127.0.0.5"));
        this.mosquittoAddress = loopback("--mosquitto-address", values.getOrDefault("--mosquitto-address", "127.0.0.6"));
        this.brokerCpu = whole(values, "--broker-cpu", 0);
        this.clientCpu = whole(values, "--client-cpu", 1);
        this.pin = pin;
        this.emulatorThreads = number(values, "--emulator-threads", 1);
        this.clientJvmOptions = words(values.getOrDefault("--client-jvm-options", "-Xms512m -Xmx512m"));
        this.brokerJvmOptions = words(values.getOrDefault("--broker-jvm-options", "-Xms1g -Xmx1g"));
        this.timeoutSeconds = number(values, "--timeout-seconds", 300);
        this.output = values.containsKey("--output") ? Path.of(values.get("--output")) : defaultOutput;
        for (StackKind kind : this.latencyStacks) {
            if (!kind.openLoop()) {
                throw new IllegalArgumentException("--latency-stacks: " + kind.id() + " has no open-loop mode");
            }
        }
    }

    /** Parses the arguments; fails with a message naming the bad one. */
    static HarnessOptions parse(String[] args, Path defaultOutput) {
        Set<String> scenarios = new LinkedHashSet<>();
        Map<String, String> values = new LinkedHashMap<>();
        boolean pin = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (ALL_SCENARIOS.contains(arg)) {
                scenarios.add(arg);
            }
            else if (arg.equals("--no-pin")) {
                pin = false;
            }
            else if (arg.startsWith("--") && i + 1 < args.length && USAGE.contains(arg + " ")) {
                values.put(arg, args[++i]);
            }
            else {
                throw new IllegalArgumentException("Unknown argument or missing value: " + arg);
            }
        }
        return new HarnessOptions(values, scenarios, pin, defaultOutput);
    }

    /** The options as given and defaulted, for the results. */
    Map<String, Object> describe() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("scenarios", this.scenarios);
        all.put("stacks", this.stacks.stream().map(StackKind::id).toList());
        all.put("windows", this.windows);
        all.put("messages", this.messages);
        all.put("sdkMessages", this.sdkMessages);
        all.put("rounds", this.rounds);
        all.put("warmUpMinSeconds", this.warmUpMin);
        all.put("warmUpMaxSeconds", this.warmUpMax);
        all.put("rewarmSeconds", this.rewarmSeconds);
        all.put("flatWindows", this.flatWindows);
        all.put("flatTolerance", this.flatTolerance);
        all.put("brokerWindow", this.brokerWindow);
        all.put("aggregateConnections", this.aggregateConnections);
        all.put("aggregateWindow", this.aggregateWindow);
        all.put("aggregateMessages", this.aggregateMessages);
        all.put("latencyStacks", this.latencyStacks.stream().map(StackKind::id).toList());
        all.put("latencyRates", this.latencyRates);
        all.put("latencySeconds", this.latencySeconds);
        all.put("latencyWindow", this.latencyWindow);
        all.put("methodStacks", this.methodStacks.stream().map(StackKind::id).toList());
        all.put("methodCalls", this.methodCalls);
        all.put("sdkMethodCalls", this.sdkMethodCalls);
        all.put("methodConcurrency", this.methodConcurrency);
        all.put("methodWarmUpSeconds", this.methodWarmUpSeconds);
        all.put("scaleDevices", this.scaleSteps.fixed());
        all.put("scaleMax", this.scaleSteps.max());
        all.put("scaleStep", this.scaleSteps.step());
        all.put("scaleSeconds", this.scaleSeconds);
        all.put("scaleBudgetSeconds", this.scaleBudgetSeconds);
        all.put("scaleSourceAddresses", this.scaleSourceAddresses);
        all.put("scaleClientJvmOptions", this.scaleClientJvmOptions);
        all.put("startupRuns", this.startupRuns);
        all.put("startupVariants", this.startupVariants.stream().map(StartupVariant::id).toList());
        all.put("startupPairs", this.startupPairs.stream().map(StartupScenario.Pair::id).toList());
        all.put("idleSeconds", this.idleSeconds);
        all.put("idleSettleSeconds", this.idleSettleSeconds);
        all.put("idleSasSeconds", this.idleSasSeconds);
        all.put("address", this.address);
        all.put("mosquittoAddress", this.mosquittoAddress);
        all.put("pinned", this.pin);
        all.put("brokerCpu", this.brokerCpu);
        all.put("clientCpu", this.clientCpu);
        all.put("emulatorThreads", this.emulatorThreads);
        all.put("clientJvmOptions", this.clientJvmOptions);
        all.put("brokerJvmOptions", this.brokerJvmOptions);
        all.put("timeoutSeconds", this.timeoutSeconds);
        return all;
    }

    private static List<StackKind> stacks(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).map(StackKind::of)
            .distinct().toList();
    }

    private static StartupScenario.Pair startupPair(String id) {
        return StartupScenario.PAIRS.stream().filter((pair) -> pair.id().equals(id)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--startup-pairs: unknown pair " + id + " (minimal, web)"));
    }

    private static List<Integer> numbers(String option, String list) {
        return Arrays.stream(list.split(",")).map((n) -> positive(option, n.trim())).toList();
    }

    private static int number(Map<String, String> values, String option, int defaultValue) {
        return values.containsKey(option) ? positive(option, values.get(option)) : defaultValue;
    }

    private static int whole(Map<String, String> values, String option, int defaultValue) {
        if (!values.containsKey(option)) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(values.get(option));
            if (parsed >= 0) {
                return parsed;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a whole number, not " + values.get(option));
    }

    private static double decimal(Map<String, String> values, String option, double defaultValue) {
        if (!values.containsKey(option)) {
            return defaultValue;
        }
        try {
            double parsed = Double.parseDouble(values.get(option));
            if (parsed > 0) {
                return parsed;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, not " + values.get(option));
    }

    private static int positive(String option, String value) {
        try {
            int parsed = Integer.parseInt(value.replace("_", ""));
            if (parsed > 0) {
                return parsed;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, not " + value);
    }

    private static List<String> words(String value) {
        return Arrays.stream(value.trim().split("\\s+")).filter((w) -> !w.isEmpty()).toList();
    }

    // Load is only ever sent to this machine's loopback range.
    private static String loopback(String option, String address) {
        if (!address.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException(option + " must be a 127.x.y.z loopback address: " + address);
        }
        return address;
    }
}
