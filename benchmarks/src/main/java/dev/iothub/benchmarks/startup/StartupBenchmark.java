package dev.iothub.benchmarks.startup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import dev.iothub.benchmarks.BenchmarkOptions;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.Measurement;
import dev.iothub.benchmarks.ResultReport;
import dev.iothub.benchmarks.process.ChildJvm;
import dev.iothub.emulator.IotHubEmulator;

/**
 * Scenario 3: wall time from spawning a JVM running {@link MinimalSdkApp} or {@link MinimalStarterApp} to its
 * "connected and subscribed" marker, its RSS then, and its RSS and heap after sending telemetry.
 */
public final class StartupBenchmark {

    private static final String SCENARIO = "start-up";

    private final BenchmarkOptions options;

    public StartupBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    public void run(IotHubEmulator hub, ResultReport report) throws Exception {
        Path work = this.options.workDirectory();
        Files.createDirectories(work);
        Path pem = work.resolve("emulator-ca.pem");
        Files.writeString(pem, hub.caCertificatePem());
        String messages = Integer.toString(this.options.startupMessages());
        measure(hub, report, "minimal official-SDK app (child JVM)", MinimalSdkApp.class, "startup-sdk-",
                (deviceId) -> List.of(hub.connectionString(deviceId), pem.toString(), messages));
        measure(hub, report, "minimal starter app (child JVM)", MinimalStarterApp.class, "startup-starter-",
                (deviceId) -> List.of(hub.connectionString(deviceId), pem.toString(),
                        Integer.toString(hub.mqttPort()), messages));
    }

    private void measure(IotHubEmulator hub, ResultReport report, String subject, Class<?> mainClass,
            String devicePrefix, Function<String, List<String>> arguments) {
        int runs = this.options.startupRuns();
        double[] wallMillis = new double[runs];
        double[] uptimeMillis = new double[runs];
        long readyRssKib = 0;
        for (int run = 0; run < runs; run++) {
            String deviceId = devicePrefix + (run + 1);
            hub.registerDevice(deviceId);
            boolean last = run == runs - 1;
            Deadline deadline = Deadline.in(Duration.ofSeconds(60 + this.options.startupMessages() / 100),
                    SCENARIO + " " + subject + " run " + (run + 1));
            try (ChildJvm app = ChildJvm.spawn(mainClass, List.of(), arguments.apply(deviceId),
                    this.options.workDirectory().resolve(deviceId + ".log"))) {
                String uptime = app.await("READY", deadline);
                wallMillis[run] = (System.nanoTime() - app.spawnedAtNanos()) / 1e6;
                uptimeMillis[run] = Double.parseDouble(uptime);
                readyRssKib = app.residentKib();
                if (last) {
                    hub.clearTelemetry();
                    app.send("send");
                    String[] heap = app.await("SENT", deadline).split(" ");
                    long sentRssKib = app.residentKib();
                    report.add(Measurement.of(SCENARIO, subject, "RSS MiB when ready", readyRssKib / 1024.0,
                            "connected and subscribed, nothing sent"));
                    report.add(Measurement.of(SCENARIO, subject, "RSS MiB after msgs", sentRssKib / 1024.0,
                            String.format(Locale.ROOT, "after %,d telemetry msgs", this.options.startupMessages())));
                    report.add(Measurement.of(SCENARIO, subject, "heap MiB after msgs",
                            Long.parseLong(heap[0]) / 1048576.0, "heap used as it stood (default heap, no -Xmx)"));
                    report.add(Measurement.of(SCENARIO, subject, "heap MiB after msgs+GC",
                            Long.parseLong(heap[1]) / 1048576.0, "live heap after System.gc()"));
                }
            }
            catch (Exception ex) {
                report.add(Measurement.notMeasured(SCENARIO, subject, "ms to ready", "run " + (run + 1)
                        + " failed: " + ex));
                return;
            }
        }
        report.add(Measurement.of(SCENARIO, subject, "ms spawn to ready", median(wallMillis),
                String.format(Locale.ROOT, "median of %d; min %.0f, max %.0f; JVM uptime at ready %.0f ms", runs,
                        Arrays.stream(wallMillis).min().orElse(0), Arrays.stream(wallMillis).max().orElse(0),
                        median(uptimeMillis))));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
