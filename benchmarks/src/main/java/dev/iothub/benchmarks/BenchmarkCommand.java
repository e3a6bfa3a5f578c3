package dev.iothub.benchmarks;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.iothub.benchmarks.methods.MethodRoundTripBenchmark;
import dev.iothub.benchmarks.scale.ScaleBenchmark;
import dev.iothub.benchmarks.startup.StartupBenchmark;
import dev.iothub.benchmarks.telemetry.TelemetryBenchmark;
import dev.iothub.emulator.IotHubEmulator;

/**
 * Runs the benchmarks of issue 6 against the emulator, prints a table and writes the figures as JSON.
 */
public final class BenchmarkCommand {

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.print(BenchmarkOptions.USAGE);
            return;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args, defaultOutput());
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.err.print(BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        ResultReport report = new ResultReport();
        describeEnvironment(report, options);
        List<String> scenarios = options.scenarios();
        if (scenarios.contains("telemetry") || scenarios.contains("methods") || scenarios.contains("startup")) {
            IotHubEmulator hub = null;
            try {
                hub = SdkPortHub.start(options.sdkAddress(), 2, 5, Duration.ofSeconds(3));
            }
            catch (IllegalStateException ex) {
                report.add(Measurement.notMeasured("official SDK port", options.sdkAddress() + ":8883", "-",
                        ex.getMessage()));
            }
            if (hub != null) {
                try (IotHubEmulator sdkHub = hub) {
                    runWithSdkHub(options, sdkHub, report);
                }
            }
        }
        if (scenarios.contains("scale")) {
            System.out.println("== emulator scale");
            new ScaleBenchmark(options).run(report);
        }
        report.printTable(System.out);
        report.writeJson(options.output());
        System.out.println();
        System.out.println("Results written to " + options.output().toAbsolutePath());
        reportLeftoverThreads();
    }

    private static void runWithSdkHub(BenchmarkOptions options, IotHubEmulator hub, ResultReport report)
            throws Exception {
        if (options.scenarios().contains("telemetry")) {
            System.out.println("== telemetry throughput");
            new TelemetryBenchmark(options).run(hub, report);
        }
        if (options.scenarios().contains("methods")) {
            System.out.println("== direct-method round trip");
            new MethodRoundTripBenchmark(options).run(hub, report);
        }
        if (options.scenarios().contains("startup")) {
            System.out.println("== start-up");
            new StartupBenchmark(options).run(hub, report);
        }
    }

    private static void describeEnvironment(ResultReport report, BenchmarkOptions options) throws IOException {
        report.environment("startedAt", Instant.now().toString());
        report.environment("processors", Runtime.getRuntime().availableProcessors());
        report.environment("memTotal", memTotal());
        report.environment("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.environment("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        report.environment("options", options);
        System.out.printf("IoT Hub benchmarks: %d processors, %s, %s%n", Runtime.getRuntime().availableProcessors(),
                memTotal(), System.getProperty("java.runtime.version"));
    }

    private static String memTotal() throws IOException {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.exists(meminfo)) {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    return line.substring("MemTotal:".length()).trim();
                }
            }
        }
        return "unknown";
    }

    private static Path defaultOutput() throws URISyntaxException {
        Path jar = Path.of(BenchmarkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = Files.isDirectory(jar) ? jar.getParent() : jar.getParent();
        return target.resolve("benchmark-results.json");
    }

    // Third-party clients start threads of their own; name any that outlived their close() so a leak is visible.
    private static void reportLeftoverThreads() {
        Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.isAlive() && !thread.isDaemon() && thread != Thread.currentThread())
            .filter((thread) -> !thread.getName().equals("DestroyJavaVM"))
            // Netty's global executor ends by itself a second after its last task.
            .filter((thread) -> !thread.getName().startsWith("globalEventExecutor"))
            .forEach((thread) -> System.out.println("warning: thread still running after the run: " + thread.getName()));
    }
}
