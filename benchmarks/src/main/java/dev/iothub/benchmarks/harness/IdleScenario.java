package dev.iothub.benchmarks.harness;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.Target;
import dev.iothub.benchmarks.process.ChildJvm;
import dev.iothub.benchmarks.process.JvmCounters;
import dev.iothub.benchmarks.process.ProcessCpu;
import dev.iothub.benchmarks.startup.IdleStarterApp;

/**
 * Idle cost: one starter app ({@link IdleStarterApp}) on the client core sending 1 msg/s with a short SAS token
 * lifetime, so the run crosses several renewals. After a settling period, it measures the app's CPU (% of one
 * core), its context switches per second (summed over its threads) and its RSS, sampled every 10 s.
 * <p>
 * It runs alongside the other scenarios ({@link #start()}, then {@link #result()} at the end), so that its ten
 * minutes fit in the run's budget: the app's own CPU time and switches are counted from {@code /proc} for its
 * process only, and its 1 msg/s is noise next to the runs' tens of thousands. What it cannot avoid is sharing the
 * client core's caches with the measured clients, which can only make its figures worse, not better.
 */
final class IdleScenario {

    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

    private final EmulatorBroker emulator;

    private final List<String> launcher;

    private final Path work;

    private final int seconds;

    private final int settleSeconds;

    private final int sasSeconds;

    private final long ticksPerSecond;

    private final PrintStream out;

    IdleScenario(EmulatorBroker emulator, List<String> launcher, Path work, int seconds, int settleSeconds,
            int sasSeconds, long ticksPerSecond, PrintStream out) {
        this.emulator = emulator;
        this.launcher = launcher;
        this.work = work;
        this.seconds = seconds;
        this.settleSeconds = settleSeconds;
        this.sasSeconds = sasSeconds;
        this.ticksPerSecond = ticksPerSecond;
        this.out = out;
    }

    private final CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();

    /** Starts the app and measures it on a thread of its own. */
    void start() throws Exception {
        this.emulator.register("idle-starter-", 1);
        Target target = this.emulator.target("idle-starter-");
        this.out.printf("== idle cost: starter app at 1 msg/s, SAS tokens of %d s, %d s settling then %d s measured, "
                + "alongside the other scenarios; its result comes at the end%n", this.sasSeconds,
                this.settleSeconds, this.seconds);
        Thread measuring = new Thread(() -> {
            try {
                this.result.complete(measure(target));
            }
            catch (Throwable ex) {
                this.result.completeExceptionally(ex);
            }
        }, "benchmark-idle");
        measuring.setDaemon(true);
        measuring.start();
    }

    /** Waits for the measurement to end and prints it. */
    Map<String, Object> result() throws Exception {
        Map<String, Object> result = this.result.get(this.seconds + this.settleSeconds + 120L, TimeUnit.SECONDS);
        this.out.println();
        this.out.printf(Locale.ROOT, "== idle cost (ran alongside): CPU %.3f %% of one core, %.1f context switches/s, "
                + "RSS drift %+,d KiB over %d s, %s acknowledged, %s failed%n", result.get("cpuPercentOfOneCore"),
                result.get("contextSwitchesPerSecond"), result.get("rssKibDrift"), this.seconds,
                result.get("messagesAcknowledged"), result.get("messagesFailed"));
        return result;
    }

    private Map<String, Object> measure(Target target) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sasTimeToLiveSeconds", this.sasSeconds);
        result.put("settleSeconds", this.settleSeconds);
        result.put("measuredSeconds", this.seconds);
        try (ChildJvm app = ChildJvm.spawn(this.launcher, IdleStarterApp.class, List.of(),
                List.of(target.connectionString(target.deviceId(0)), target.caPem(), Integer.toString(target.port()),
                        Integer.toString(this.sasSeconds)), this.work.resolve("idle-starter.log")).quiet()) {
            app.await("READY", Deadline.in(Duration.ofSeconds(60), "idle app start"));
            TimeUnit.SECONDS.sleep(this.settleSeconds);
            long startNanos = System.nanoTime();
            long cpuStart = ProcessCpu.nanosOf(app.pid(), this.ticksPerSecond);
            long switchesStart = JvmCounters.contextSwitches(Long.toString(app.pid()));
            List<Long> rss = new ArrayList<>();
            rss.add(app.residentKib());
            long end = startNanos + TimeUnit.SECONDS.toNanos(this.seconds);
            // A sampling interval, not a synchronisation: nothing here waits for the app.
            while (System.nanoTime() < end) {
                TimeUnit.NANOSECONDS.sleep(Math.min(SAMPLE_EVERY.toNanos(), Math.max(0, end - System.nanoTime())));
                rss.add(app.residentKib());
            }
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            long cpu = ProcessCpu.nanosOf(app.pid(), this.ticksPerSecond) - cpuStart;
            long switches = JvmCounters.contextSwitches(Long.toString(app.pid())) - switchesStart;
            app.send("stats");
            String[] stats = app.await("STATS", Deadline.in(Duration.ofSeconds(10), "idle app stats")).split(" ");
            result.put("cpuPercentOfOneCore", 100.0 * cpu / 1e9 / elapsed);
            result.put("contextSwitchesPerSecond", switches / elapsed);
            result.put("rssKibSamples", rss);
            result.put("rssKibDrift", rss.get(rss.size() - 1) - rss.get(0));
            result.put("messagesAcknowledged", Long.parseLong(stats[0]));
            result.put("messagesFailed", Long.parseLong(stats[1]));
            result.put("expectedRenewals", (int) (this.seconds / (this.sasSeconds * 0.85)));
            result.put("ranAlongsideOtherScenarios", true);
        }
        return result;
    }
}
