package dev.iothub.benchmarks.methods;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import dev.iothub.benchmarks.BenchmarkOptions;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.Latencies;
import dev.iothub.benchmarks.Measurement;
import dev.iothub.benchmarks.ResultReport;
import dev.iothub.benchmarks.starter.StarterMethodDevice;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;

/**
 * Scenario 2: sequential {@code invokeMethod} calls, each timed from the service call to its result, after a
 * warm-up that is not counted.
 */
public final class MethodRoundTripBenchmark {

    private static final String SCENARIO = "direct method";

    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);

    private final BenchmarkOptions options;

    public MethodRoundTripBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    /** The stacks measured. */
    List<MethodDevice> devices() {
        return List.of(new PahoMethodDevice(), new StarterMethodDevice(), OfficialSdkMethodDevice.defaults(),
                OfficialSdkMethodDevice.tuned(1));
    }

    public void run(IotHubEmulator hub, ResultReport report) throws Exception {
        int calls = this.options.methodCalls();
        int warmUp = Math.min(500, Math.max(50, calls / 10));
        int index = 0;
        for (MethodDevice device : devices()) {
            String deviceId = "methods-" + (++index);
            hub.registerDevice(deviceId);
            Deadline deadline = Deadline.in(Duration.ofSeconds(60).plusMillis((calls + warmUp) * 20L),
                    SCENARIO + " " + device.subject());
            Latencies latencies = new Latencies(calls);
            try (AutoCloseable connection = device.open(hub, deviceId, deadline)) {
                for (int i = 0; i < warmUp + calls; i++) {
                    deadline.check();
                    long start = System.nanoTime();
                    MethodResult result = hub.invokeMethod(deviceId, "echo", "{\"call\":" + i + "}",
                            RESPONSE_TIMEOUT);
                    long elapsed = System.nanoTime() - start;
                    if (result.status() != 200) {
                        throw new IllegalStateException("call " + i + " answered " + result);
                    }
                    if (i >= warmUp) {
                        latencies.record(elapsed);
                    }
                }
            }
            catch (Exception ex) {
                report.add(Measurement.notMeasured(SCENARIO, device.subject(), "p50 ms", "failed: " + ex));
                continue;
            }
            String note = String.format(Locale.ROOT, "%,d sequential calls after %d warm-up; mean %.3f ms",
                    latencies.count(), warmUp, latencies.meanMillis());
            report.add(Measurement.of(SCENARIO, device.subject(), "p50 ms", latencies.percentileMillis(50), note));
            report.add(Measurement.of(SCENARIO, device.subject(), "p99 ms", latencies.percentileMillis(99),
                    "target < 5 ms"));
            report.add(Measurement.of(SCENARIO, device.subject(), "max ms", latencies.maxMillis(), ""));
        }
    }
}
