package dev.iothub.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the legacy scenarios (the earlier, in-process method: start-up and scale) run and how big, from the command
 * line after {@code legacy}.
 *
 * @param scenarios the scenarios to run, in the order given
 * @param startupRuns child JVMs started (scenario 3)
 * @param startupMessages telemetry messages the last start-up child sends
 * @param devices fleet sizes (scenario 4)
 * @param scaleMessages telemetry messages per fleet, spread evenly over its devices
 * @param window unacknowledged messages each simulated device may have
 * @param connectBatch simulated devices whose connection is in progress at the same time
 * @param emulatorThreads I/O threads of the emulator under scale
 * @param clientThreads event-loop threads shared by the simulated devices
 * @param sdkAddress the loopback address where the in-process emulator listens on 8883 for the start-up children
 * @param emulatorVariant {@code emulator}, or a prototype fix measured in its place ({@code flush-consolidation},
 *        {@code openssl})
 * @param profile whether the scale emulator records a JFR profile
 * @param output the JSON results file
 */
public record BenchmarkOptions(List<String> scenarios, int startupRuns, int startupMessages, List<Integer> devices, int scaleMessages, int window, int connectBatch,
        int emulatorThreads, int clientThreads, String sdkAddress, String emulatorVariant, boolean profile,
        Path output) {

    /** Every scenario, in the default order. */
    public static final List<String> ALL_SCENARIOS = List.of("startup", "scale");

    static final String USAGE = """
            java -jar benchmarks/target/iothub-benchmarks.jar legacy [scenario...] [options]
              the earlier method (the emulator in the harness JVM, no pinning); not the issue-16 harness
              scenarios: startup scale (default: both)
              --startup-runs N      child JVMs started for start-up timing (3)
              --startup-messages N  telemetry messages sent by the last start-up child (10000)
              --devices D,...       fleet sizes for the scale scenario (1000,10000)
              --scale-messages N    telemetry messages per fleet, spread over its devices (100000)
              --window N            unacknowledged messages per simulated device (10)
              --connect-batch N     TLS handshakes in progress at once (64)
              --emulator-threads N  emulator I/O threads under scale (2)
              --client-threads N    event-loop threads of the simulated devices (2)
              --sdk-address A       loopback address for the 8883 listener of the start-up children (127.0.0.2)
              --emulator-variant V  emulator, or a prototype fix: flush-consolidation, openssl (emulator)
              --profile             record a JFR profile of the scale emulator (target/benchmark-work/*.jfr)
              --output FILE         results as JSON (benchmarks/target/benchmark-results-legacy.json)
            """;

    /** The directory for child logs, certificates and profiles, next to the results file. */
    public Path workDirectory() {
        return this.output.toAbsolutePath().getParent().resolve("benchmark-work");
    }

    /** Parses the arguments; fails with a message naming the bad one. */
    public static BenchmarkOptions parse(String[] args, Path defaultOutput) {
        Set<String> scenarios = new LinkedHashSet<>();
        int startupRuns = 3;
        int startupMessages = 10_000;
        List<Integer> devices = List.of(1_000, 10_000);
        int scaleMessages = 100_000;
        int window = 10;
        int connectBatch = 64;
        int emulatorThreads = 2;
        int clientThreads = 2;
        String sdkAddress = "127.0.0.2";
        String emulatorVariant = "emulator";
        boolean profile = false;
        Path output = defaultOutput;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (ALL_SCENARIOS.contains(arg)) {
                scenarios.add(arg);
                continue;
            }
            if (arg.equals("--profile")) {
                profile = true;
                continue;
            }
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Unknown argument or missing value: " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--startup-runs" -> startupRuns = positive(arg, value);
                case "--startup-messages" -> startupMessages = positive(arg, value);
                case "--devices" -> devices = Arrays.stream(value.split(",")).map((d) -> positive(arg, d.trim()))
                    .toList();
                case "--scale-messages" -> scaleMessages = positive(arg, value);
                case "--window" -> window = positive(arg, value);
                case "--connect-batch" -> connectBatch = positive(arg, value);
                case "--emulator-threads" -> emulatorThreads = positive(arg, value);
                case "--client-threads" -> clientThreads = positive(arg, value);
                case "--sdk-address" -> sdkAddress = loopback(value);
                case "--output" -> output = Path.of(value);
                case "--emulator-variant" -> emulatorVariant = value;
                default -> throw new IllegalArgumentException("Unknown option: " + arg);
            }
        }
        return new BenchmarkOptions(new ArrayList<>(scenarios.isEmpty() ? ALL_SCENARIOS : scenarios), startupRuns, startupMessages, devices,
                scaleMessages, window, connectBatch, emulatorThreads, clientThreads, sdkAddress, emulatorVariant, profile,
                output);
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

    // Load is only ever sent to this machine's loopback range.
    private static String loopback(String address) {
        if (!address.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("--sdk-address must be a 127.x.y.z loopback address: " + address);
        }
        return address;
    }
}
