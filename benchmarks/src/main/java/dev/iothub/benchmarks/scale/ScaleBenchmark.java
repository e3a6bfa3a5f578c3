package dev.iothub.benchmarks.scale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import dev.iothub.benchmarks.BenchmarkOptions;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.EmulatorTrust;
import dev.iothub.benchmarks.Measurement;
import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.ResultReport;
import dev.iothub.benchmarks.process.ChildJvm;
import dev.iothub.benchmarks.process.ProcessCpu;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 4: for each fleet size D, a fresh emulator in its own JVM ({@link EmulatorHost}); D simulated devices
 * connect over TLS with SAS tokens, idle, then all send telemetry at once. Heap figures come from the emulator's JVM
 * after full collections, so the clients' memory is not in them.
 */
public final class ScaleBenchmark {

    private static final String SCENARIO = "emulator scale";

    private static final String PREFIX = "scale-";

    private final BenchmarkOptions options;

    public ScaleBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    public void run(ResultReport report) throws Exception {
        int largestWithoutErrors = 0;
        List<String> failures = new ArrayList<>();
        for (int devices : this.options.devices()) {
            String subject = String.format(Locale.ROOT, "D = %,d devices", devices)
                    + (this.options.emulatorVariant().equals(EmulatorHost.EMULATOR) ? ""
                            : " [prototype " + this.options.emulatorVariant() + "]");
            try {
                String error = runOne(devices, subject, report);
                if (error == null) {
                    largestWithoutErrors = Math.max(largestWithoutErrors, devices);
                }
                else {
                    failures.add(subject + ": " + error);
                }
            }
            catch (Exception ex) {
                failures.add(subject + ": " + ex);
                report.add(Measurement.notMeasured(SCENARIO, subject, "devices connected", "failed: " + ex));
            }
        }
        report.add(Measurement.of(SCENARIO, "largest D without errors", "devices", largestWithoutErrors,
                failures.isEmpty() ? "every requested D connected and sent (target >= 10,000)"
                        : "errors: " + String.join("; ", failures)));
    }

    /** One fleet size; returns the error that stopped it, or {@code null}. */
    private @Nullable String runOne(int devices, String subject, ResultReport report) throws Exception {
        Path work = this.options.workDirectory();
        Files.createDirectories(work);
        Path pem = work.resolve("scale-emulator-" + devices + ".pem");
        List<String> jvmOptions = new ArrayList<>();
        if (this.options.profile()) {
            jvmOptions.add("-XX:StartFlightRecording=filename=" + work.resolve("emulator-" + devices + ".jfr")
                    + ",settings=profile");
        }
        String key = newKey();
        byte[] payload = Payloads.telemetryJson();
        try (ChildJvm emulator = ChildJvm.spawn(EmulatorHost.class, jvmOptions,
                List.of(Integer.toString(this.options.emulatorThreads()), pem.toString(),
                        this.options.emulatorVariant()),
                work.resolve("scale-emulator-" + devices + ".log"))) {
            Deadline setup = Deadline.in(Duration.ofSeconds(60).plusMillis(devices * 2L), subject + " set-up");
            int port = Integer.parseInt(emulator.await("PORT", setup));
            long emptyHeap = heap(emulator, setup);
            emulator.send("register " + PREFIX + " " + devices + " " + key);
            emulator.await("REGISTERED", setup);
            long registeredHeap = heap(emulator, setup);

            try (SimulatedDeviceFleet fleet = new SimulatedDeviceFleet(EmulatorHost.ADDRESS, port,
                    new JdkSslContext(EmulatorTrust.fromPem(pem), true, ClientAuth.NONE),
                    this.options.clientThreads())) {
                Deadline connecting = Deadline.in(Duration.ofSeconds(60).plusMillis(devices * 40L),
                        subject + " connect");
                CpuWatch cpu = CpuWatch.start(emulator, setup);
                SimulatedDeviceFleet.ConnectOutcome connected = fleet.connect(PREFIX, devices, key,
                        this.options.connectBatch(), connecting);
                double seconds = connected.elapsedNanos() / 1e9;
                report.add(Measurement.of(SCENARIO, subject, "devices connected", connected.connected(),
                        (connected.error() == null) ? "all connected" : "stopped: " + connected.error()));
                report.add(Measurement.of(SCENARIO, subject, "connects/s", connected.connected() / seconds,
                        String.format(Locale.ROOT, "TLS + SAS CONNECT, up to %d in progress, %.1f s; %s",
                                this.options.connectBatch(), seconds,
                                cpu.stop(emulator, setup, seconds, connected.connected(), "connect"))));
                if (connected.connected() == 0) {
                    return connected.error();
                }
                Deadline measuring = Deadline.in(Duration.ofSeconds(120), subject + " heap");
                long idleHeap = heap(emulator, measuring);
                report.add(Measurement.of(SCENARIO, subject, "heap KiB / idle device",
                        (idleHeap - registeredHeap) / 1024.0 / connected.connected(), String.format(Locale.ROOT,
                                "emulator JVM after full GC: %.1f MiB connected vs %.1f MiB registered only "
                                        + "(registry %.2f KiB/device; empty hub %.1f MiB); target < 20 KB",
                                idleHeap / 1048576.0, registeredHeap / 1048576.0,
                                (registeredHeap - emptyHeap) / 1024.0 / devices, emptyHeap / 1048576.0)));
                report.add(Measurement.of(SCENARIO, subject, "emulator RSS MiB idle", emulator.residentKib() / 1024.0,
                        "VmRSS of the emulator JVM with all devices connected"));
                if (connected.error() != null) {
                    return connected.error();
                }
                return sendTelemetry(fleet, emulator, payload, subject, report);
            }
        }
    }

    private String sendTelemetry(SimulatedDeviceFleet fleet, ChildJvm emulator, byte[] payload, String subject,
            ResultReport report) throws Exception {
        int devices = fleet.size();
        int perDevice = Math.max(1, (this.options.scaleMessages() + devices - 1) / devices);
        long total = (long) perDevice * devices;
        Deadline stats = Deadline.in(Duration.ofSeconds(60), subject + " stats");
        emulator.send("clear");
        emulator.await("CLEARED", stats);
        CpuWatch cpu = CpuWatch.start(emulator, stats);
        long elapsed;
        try {
            elapsed = fleet.sendTelemetry(payload, perDevice, this.options.window(),
                    Deadline.in(Duration.ofSeconds(120).plusMillis(total / 10), subject + " telemetry"));
        }
        catch (Exception ex) {
            report.add(Measurement.notMeasured(SCENARIO, subject, "msgs/s aggregate", "failed: " + ex));
            return "telemetry: " + ex.getMessage();
        }
        double seconds = elapsed / 1e9;
        String cpuNote = cpu.stop(emulator, stats, seconds, total, "msg");
        long stored = Long.parseLong(statsLine(emulator, stats)[0]);
        report.add(Measurement.of(SCENARIO, subject, "msgs/s aggregate", total / seconds, String.format(Locale.ROOT,
                "%,d msgs (%d per device, window %d) in %.2f s; %s; hub stored %,d (log keeps 100,000); "
                        + "target >= 50,000",
                total, perDevice, this.options.window(), seconds, cpuNote, stored)));
        long fullHeap = heap(emulator, Deadline.in(Duration.ofSeconds(120), subject + " heap"));
        report.add(Measurement.of(SCENARIO, subject, "heap MiB with full log", fullHeap / 1048576.0, String.format(
                Locale.ROOT, "emulator JVM after full GC holding %,d stored telemetry messages", stored)));
        return null;
    }

    private static long heap(ChildJvm emulator, Deadline deadline) throws Exception {
        emulator.send("heap");
        return Long.parseLong(emulator.await("HEAP", deadline));
    }

    private static String[] statsLine(ChildJvm emulator, Deadline deadline) throws Exception {
        emulator.send("stats");
        return emulator.await("STATS", deadline).split(" ");
    }

    /** CPU used by the emulator JVM and by this (load-generating) JVM over one phase. */
    private record CpuWatch(long emulatorNanos, long clientNanos) {

        static CpuWatch start(ChildJvm emulator, Deadline deadline) throws Exception {
            return new CpuWatch(Long.parseLong(statsLine(emulator, deadline)[1]), ProcessCpu.nanos());
        }

        String stop(ChildJvm emulator, Deadline deadline, double seconds, long operations, String unit)
                throws Exception {
            double emulatorCpu = (Long.parseLong(statsLine(emulator, deadline)[1]) - this.emulatorNanos) / 1e9;
            double clientCpu = (ProcessCpu.nanos() - this.clientNanos) / 1e9;
            return String.format(Locale.ROOT, "CPU emulator %.2f cores (%.1f us/%s), clients %.2f cores (%.1f us/%s)",
                    emulatorCpu / seconds, emulatorCpu * 1e6 / operations, unit, clientCpu / seconds,
                    clientCpu * 1e6 / operations, unit);
        }
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
