package dev.iothub.benchmarks.harness;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.Target;
import dev.iothub.benchmarks.process.ChildJvm;
import dev.iothub.benchmarks.startup.BareBootApp;
import dev.iothub.benchmarks.startup.MinimalSdkApp;
import dev.iothub.benchmarks.startup.MinimalStarterApp;
import org.jspecify.annotations.Nullable;

/**
 * Start-up: a bare Spring Boot app, the same app with the starter (ready once connected and subscribed) and the bare
 * official-SDK app, each spawned from this jar on the client core until it prints {@code READY}; without and with a
 * dynamic CDS archive made by one training run ({@code -XX:ArchiveClassesAtExit}). Rounds are interleaved; the
 * starter's cost is the median of its per-round difference to the bare app.
 */
final class StartupScenario {

    private final EmulatorBroker emulator;

    private final List<String> launcher;

    private final Path work;

    private final int rounds;

    private final PrintStream out;

    StartupScenario(EmulatorBroker emulator, List<String> launcher, Path work, int rounds, PrintStream out) {
        this.emulator = emulator;
        this.launcher = launcher;
        this.work = work;
        this.rounds = rounds;
        this.out = out;
    }

    private record App(String id, Class<?> mainClass, List<String> args, List<String> jvmOptions) {
    }

    Map<String, Object> run() throws Exception {
        this.emulator.register("startup-starter-", 1);
        this.emulator.register("startup-sdk-", 1);
        Target starter = this.emulator.target("startup-starter-");
        Target sdk = this.emulator.target("startup-sdk-");
        List<App> plain = List.of(
                new App("bare-boot", BareBootApp.class, List.of(), List.of()),
                new App("starter", MinimalStarterApp.class, List.of(starter.connectionString(starter.deviceId(0)),
                        starter.caPem(), Integer.toString(starter.port()), "0"), List.of()),
                new App("sdk", MinimalSdkApp.class, List.of(sdk.connectionString(sdk.deviceId(0)), sdk.caPem(), "0"),
                        List.of()));
        List<App> apps = new ArrayList<>(plain);
        Map<String, Object> training = new LinkedHashMap<>();
        for (App app : plain) {
            Path archive = this.work.resolve("startup-" + app.id() + ".jsa");
            Files.deleteIfExists(archive);
            // The archive is written as the JVM exits, after the application has closed: give it time.
            ChildJvm jvm = spawn(app, List.of("-XX:ArchiveClassesAtExit=" + archive));
            try {
                jvm.await("READY", Deadline.in(Duration.ofSeconds(60), app.id() + " CDS training run"));
            }
            catch (Exception ex) {
                jvm.close();
                training.put(app.id(), "failed: " + ex);
                continue;
            }
            if (!jvm.close(Duration.ofSeconds(60))) {
                training.put(app.id(), "did not exit within 60 s of its stdin closing, so no archive");
                continue;
            }
            if (Files.exists(archive)) {
                training.put(app.id(), archive.toString());
                apps.add(new App(app.id() + "+cds", app.mainClass(), app.args(),
                        List.of("-XX:SharedArchiveFile=" + archive)));
            }
            else {
                training.put(app.id(), "no archive written");
            }
        }
        this.out.println();
        this.out.printf("== start-up: spawn to READY, %d rounds of %s%n", this.rounds, apps.stream().map(App::id)
            .toList());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int round = 0; round < this.rounds; round++) {
            for (int position = 0; position < apps.size(); position++) {
                App app = apps.get((position + round) % apps.size());
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("id", app.id());
                record.put("round", round + 1);
                record.put("loadAverage", RunEnvironment.loadAverage());
                try (ChildJvm jvm = spawn(app, app.jvmOptions())) {
                    String uptime = jvm.await("READY", Deadline.in(Duration.ofSeconds(60), app.id() + " start"));
                    record.put("spawnToReadyMillis", (System.nanoTime() - jvm.spawnedAtNanos()) / 1e6);
                    record.put("jvmUptimeAtReadyMillis", Double.parseDouble(uptime));
                    record.put("rssKibAtReady", jvm.residentKib());
                    this.out.printf(Locale.ROOT, "  [start-up round %d] %-16s %7.0f ms spawn to ready, RSS %,d KiB%n",
                            round + 1, app.id(), Rounds.number(record, "spawnToReadyMillis"),
                            (Long) record.get("rssKibAtReady"));
                }
                catch (Exception ex) {
                    record.put("error", String.valueOf(ex));
                    this.out.printf("  [start-up round %d] %s FAILED: %s%n", round + 1, app.id(), ex);
                }
                runs.add(record);
            }
        }
        List<Map<String, Object>> summary = new ArrayList<>();
        for (App app : apps) {
            List<Map<String, Object>> own = runs.stream()
                .filter((r) -> r.get("id").equals(app.id()) && !r.containsKey("error")).toList();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", app.id());
            s.put("runs", own.size());
            s.put("spawnToReadyMillisMedian", Rounds.median(own.stream()
                .map((r) -> Rounds.number(r, "spawnToReadyMillis")).toList()));
            s.put("rssKibAtReadyMedian", Rounds.median(own.stream().map((r) -> Rounds.number(r, "rssKibAtReady"))
                .toList()));
            summary.add(s);
            this.out.printf(Locale.ROOT, "  %-16s median %7.0f ms, RSS %,.0f KiB (%d runs)%n", app.id(),
                    Rounds.number(s, "spawnToReadyMillisMedian"), Rounds.number(s, "rssKibAtReadyMedian"),
                    own.size());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("what", "spawn (ProcessBuilder.start) to the READY line: bare Boot app at context ready, the "
                + "starter app once connected and subscribed, the SDK app once connected and subscribed; from the "
                + "shaded benchmarks jar, not a Boot fat jar; no Spring AOT");
        result.put("cdsTraining", training);
        result.put("runs", runs);
        result.put("summary", summary);
        result.put("starterAddsMillis", differences(runs, "starter", "bare-boot"));
        result.put("starterAddsMillisWithCds", differences(runs, "starter+cds", "bare-boot+cds"));
        return result;
    }

    private ChildJvm spawn(App app, List<String> jvmOptions) throws java.io.IOException {
        return ChildJvm.spawn(this.launcher, app.mainClass(), jvmOptions, app.args(),
                this.work.resolve("startup-" + app.id() + ".log")).quiet();
    }

    // Per round, a's time minus b's.
    private static List<Double> differences(List<Map<String, Object>> runs, String a, String b) {
        List<Double> differences = new ArrayList<>();
        int rounds = runs.stream().mapToInt((r) -> (Integer) r.get("round")).max().orElse(0);
        for (int round = 1; round <= rounds; round++) {
            Double x = time(runs, a, round);
            Double y = time(runs, b, round);
            if (x != null && y != null) {
                differences.add(x - y);
            }
        }
        return differences;
    }

    private static @Nullable Double time(List<Map<String, Object>> runs, String id, int round) {
        for (Map<String, Object> r : runs) {
            if (r.get("id").equals(id) && r.get("round").equals(round) && !r.containsKey("error")) {
                return Rounds.number(r, "spawnToReadyMillis");
            }
        }
        return null;
    }
}
