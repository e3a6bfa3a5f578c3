package dev.iothub.benchmarks.telemetry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import dev.iothub.benchmarks.BenchmarkOptions;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.Measurement;
import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.ResultReport;
import dev.iothub.benchmarks.starter.StarterChannelTelemetry;
import dev.iothub.benchmarks.starter.StarterTelemetry;
import dev.iothub.emulator.IotHubEmulator;

/**
 * Scenario 1: msgs/s from the first send to the last PUBACK for each stack, and its ratio to raw Paho (c).
 */
public final class TelemetryBenchmark {

    private static final String SCENARIO = "telemetry";

    private final BenchmarkOptions options;

    public TelemetryBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    /** The stacks measured, baseline first. */
    List<TelemetryScenario> scenarios() {
        return List.of(new RawPahoTelemetry(this.options.pahoInflight()), new StarterTelemetry(),
                new StarterChannelTelemetry(16), OfficialSdkTelemetry.defaults(), OfficialSdkTelemetry.tuned(1, 1000));
    }

    /** Runs every scenario against the hub, one fresh device each. */
    public void run(IotHubEmulator hub, ResultReport report) throws Exception {
        byte[] payload = Payloads.telemetryJson();
        Double baseline = null;
        int index = 0;
        for (TelemetryScenario scenario : scenarios()) {
            boolean throttled = scenario.isThrottledByDesign();
            int messages = throttled ? this.options.sdkDefaultMessages() : this.options.messages();
            int warmUp = Math.min(throttled ? 1_000 : 5_000, Math.max(500, messages / 10));
            String deviceId = "telemetry-" + (++index);
            hub.registerDevice(deviceId);
            Deadline deadline = Deadline.in(Duration.ofSeconds(60).plusMillis(
                    ((long) messages * this.options.repeats() + warmUp) * 5L),
                    scenario.subject());
            int repeats = throttled ? 1 : this.options.repeats();
            List<TelemetryRun> runs = new ArrayList<>();
            try {
                scenario.run(new TelemetryTarget(hub, deviceId, payload), warmUp, deadline);
                for (int i = 0; i < repeats; i++) {
                    hub.clearTelemetry();
                    runs.add(scenario.run(new TelemetryTarget(hub, deviceId, payload), messages, deadline));
                }
            }
            catch (Exception ex) {
                report.add(Measurement.notMeasured(SCENARIO, scenario.subject(), "msgs/s", "failed: " + ex));
                continue;
            }
            int received = hub.telemetry(deviceId).size();
            runs.sort(Comparator.comparingDouble(TelemetryRun::messagesPerSecond));
            TelemetryRun median = runs.get(runs.size() / 2);
            double rate = median.messagesPerSecond();
            if (baseline == null) {
                baseline = rate;
            }
            String spread = (runs.size() == 1) ? "1 run"
                    : String.format(Locale.ROOT, "median of %d runs (%,.0f to %,.0f)", runs.size(),
                            runs.get(0).messagesPerSecond(), runs.get(runs.size() - 1).messagesPerSecond());
            report.add(Measurement.of(SCENARIO, scenario.subject(), "msgs/s", rate,
                    String.format(Locale.ROOT, "%.2fx (c); %s of %,d msgs x %d B QoS 1, each on a new connection "
                            + "after %,d warm-up; hub stored %,d of the last; %s", rate / baseline, spread,
                            median.acknowledged(), payload.length, warmUp, received, median.detail())));
        }
    }
}
