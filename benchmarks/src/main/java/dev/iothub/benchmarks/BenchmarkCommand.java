package dev.iothub.benchmarks;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import dev.iothub.benchmarks.harness.Harness;
import dev.iothub.benchmarks.scale.ScaleBenchmark;
import dev.iothub.benchmarks.startup.StartupBenchmark;
import dev.iothub.emulator.IotHubEmulator;

/**
 * The main class of {@code iothub-benchmarks.jar}: the issue-16 harness ({@link Harness}) by default, or, after
 * {@code legacy}, the earlier in-process start-up and scale scenarios.
 */
public final class BenchmarkCommand {

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws Exception {
        int status;
        if (args.length > 0 && args[0].equals("legacy")) {
            status = legacy(Arrays.copyOfRange(args, 1, args.length));
        }
        else {
            status = Harness.run(args, defaultOutput("benchmark-results.json"), System.out);
        }
        reportLeftoverThreads();
        if (status != 0) {
            System.exit(status);
        }
    }

    private static int legacy(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.print(BenchmarkOptions.USAGE);
            return 0;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args, defaultOutput("benchmark-results-legacy.json"));
        }
        catch (IllegalArgumentException ex) {
            System.err.println(ex.getMessage());
            System.err.print(BenchmarkOptions.USAGE);
            return 2;
        }
        ResultReport report = new ResultReport();
        describeEnvironment(report, options);
        if (options.scenarios().contains("startup")) {
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
                    System.out.println("== start-up (legacy)");
                    new StartupBenchmark(options).run(sdkHub, report);
                }
            }
        }
        if (options.scenarios().contains("scale")) {
            System.out.println("== emulator scale (legacy)");
            new ScaleBenchmark(options).run(report);
        }
        report.printTable(System.out);
        report.writeJson(options.output());
        System.out.println();
        System.out.println("Results written to " + options.output().toAbsolutePath());
        return 0;
    }

    private static void describeEnvironment(ResultReport report, BenchmarkOptions options) throws IOException {
        report.environment("startedAt", Instant.now().toString());
        report.environment("processors", Runtime.getRuntime().availableProcessors());
        report.environment("memTotal", memTotal());
        report.environment("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        report.environment("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        report.environment("options", options);
        System.out.printf("IoT Hub benchmarks (legacy scenarios): %d processors, %s, %s%n",
                Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("java.runtime.version"));
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

    private static Path defaultOutput(String name) throws URISyntaxException {
        Path jar = Path.of(BenchmarkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return jar.getParent().resolve(name);
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
