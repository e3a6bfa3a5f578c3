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
import dev.iothub.benchmarks.startup.MinimalSdkApp;
import org.jspecify.annotations.Nullable;

/**
 * Start-up: a bare Spring Boot app ({@code spring-boot-starter} only, or Spring MVC and actuator for the web
 * {@link Pair}) and the same app with the starter (ready once connected and subscribed), each its own Spring Boot fat
 * jar, in the chosen {@link StartupVariant}s; and the bare
 * official-SDK app from this jar, without and with a dynamic CDS archive. Every run is spawned on the client core and
 * timed to its {@code READY} line. Rounds are interleaved; the starter's cost in a variant is the median of its
 * per-round difference to the bare app in the same variant.
 */
final class StartupScenario {

    /** The pairs the starter's cost is measured on: the bare app and the same with the starter. */
    static final List<Pair> PAIRS = List.of(
            new Pair("minimal", "bare-boot", "startup-bare", "starter", "startup-starter"),
            new Pair("web", "bare-web", "startup-bare-web", "starter-web", "startup-starter-web"));

    private final EmulatorBroker emulator;

    private final List<String> launcher;

    private final Path work;

    private final int rounds;

    private final List<StartupVariant> variants;

    private final List<Pair> pairs;

    private final PrintStream out;

    StartupScenario(EmulatorBroker emulator, List<String> launcher, Path work, int rounds,
            List<StartupVariant> variants, List<Pair> pairs, PrintStream out) {
        this.emulator = emulator;
        this.launcher = launcher;
        this.work = work;
        this.rounds = rounds;
        this.variants = variants;
        this.pairs = pairs;
        this.out = out;
    }

    /**
     * A bare Boot app and the same app with the starter, each a fat jar built by module {@code benchmarks/<module>}.
     */
    record Pair(String id, String bare, String bareModule, String starter, String starterModule) {
    }

    /** One measured way of starting one app: the Java arguments after {@code java}. */
    private record Launch(String id, String app, String variant, List<String> javaArguments) {
    }

    Map<String, Object> run() throws Exception {
        this.emulator.register("startup-starter-", this.pairs.size());
        this.emulator.register("startup-sdk-", 1);
        Target starter = this.emulator.target("startup-starter-");
        Target sdk = this.emulator.target("startup-sdk-");
        Map<String, Object> preparation = new LinkedHashMap<>();
        List<Launch> launches = new ArrayList<>();
        for (int i = 0; i < this.pairs.size(); i++) {
            Pair pair = this.pairs.get(i);
            launches.addAll(prepare(BootJarApp.of(pair.bare(), pair.bareModule(), List.of()), preparation));
            launches.addAll(prepare(BootJarApp.of(pair.starter(), pair.starterModule(),
                    List.of(starter.connectionString(starter.deviceId(i)), starter.caPem(),
                            Integer.toString(starter.port()))), preparation));
        }
        launches.addAll(prepareSdk(List.of(sdk.connectionString(sdk.deviceId(0)), sdk.caPem(), "0"), preparation));
        this.out.println();
        this.out.printf("== start-up: spawn to READY, %d rounds of %s%n", this.rounds,
                launches.stream().map(Launch::id).toList());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int round = 0; round < this.rounds; round++) {
            for (int position = 0; position < launches.size(); position++) {
                runs.add(measure(launches.get((position + round) % launches.size()), round + 1));
            }
        }
        List<Map<String, Object>> summary = new ArrayList<>();
        for (Launch launch : launches) {
            summary.add(summarize(launch, runs));
        }
        Map<String, Object> starterAdds = new LinkedHashMap<>();
        for (Pair pair : this.pairs) {
            Map<String, Object> byVariant = new LinkedHashMap<>();
            for (StartupVariant variant : this.variants) {
                List<Double> differences = differences(runs, pair.starter() + variant.suffix(),
                        pair.bare() + variant.suffix());
                Map<String, Object> adds = new LinkedHashMap<>();
                adds.put("perRoundMillis", differences);
                adds.put("medianMillis", differences.isEmpty() ? "not measured" : Rounds.median(differences));
                byVariant.put(variant.id(), adds);
                if (!differences.isEmpty()) {
                    this.out.printf(Locale.ROOT, "  the starter adds %6.0f ms (median of %d rounds), %s, %s%n",
                            Rounds.median(differences), differences.size(), pair.id(), variant.id());
                }
            }
            starterAdds.put(pair.id(), byVariant);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("what", "spawn (ProcessBuilder.start) to the READY line: the bare Boot app at context ready, the "
                + "starter app once connected and subscribed, the SDK app once connected and subscribed. The Boot "
                + "apps are their own fat jars (benchmarks/startup-bare: spring-boot-starter; "
                + "benchmarks/startup-starter: the same plus iothub-spring-boot-starter; no web, no actuator; the web "
                + "pair bare-web/starter-web: Spring MVC on an ephemeral port and actuator, without and with the "
                + "starter), "
                + "started as built (fat-jar), extracted with a CDS archive (cds), with their process-aot code "
                + "(aot: -Dspring.aot.enabled=true) or with both (aot+cds); the SDK app runs from the shaded "
                + "benchmarks jar, with a CDS archive (sdk+cds) when a CDS variant runs");
        result.put("variants", this.variants.stream().map(StartupVariant::id).toList());
        result.put("pairs", this.pairs.stream().map(Pair::id).toList());
        result.put("preparation", preparation);
        result.put("runs", runs);
        result.put("summary", summary);
        // The goal's figure: the minimal pair's fat jars as built, no cache.
        result.put("starterAddsMillis", differences(runs, PAIRS.get(0).starter(), PAIRS.get(0).bare()));
        result.put("starterAddsByPair", starterAdds);
        return result;
    }

    private List<Launch> prepare(BootJarApp app, Map<String, Object> preparation) {
        List<Launch> launches = new ArrayList<>();
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("jar", app.jar().toString());
        if (app.missing().isPresent()) {
            notes.put("error", app.missing().get());
            this.out.println("  start-up: " + app.missing().get());
            preparation.put(app.id(), notes);
            return launches;
        }
        Path extracted = null;
        if (this.variants.stream().anyMatch(StartupVariant::cds)) {
            try {
                extracted = app.extract(this.launcher, this.work.resolve("startup-" + app.id()),
                        this.work.resolve("startup-" + app.id() + "-extract.log"));
            }
            catch (Exception ex) {
                notes.put("extract", "failed: " + ex);
            }
        }
        for (StartupVariant variant : this.variants) {
            String id = app.id() + variant.suffix();
            Path archive = this.work.resolve("startup-" + id + ".jsa");
            if (variant.cds()) {
                if (extracted == null) {
                    continue;
                }
                try {
                    app.train(this.launcher, variant, extracted, archive,
                            this.work.resolve("startup-" + id + "-training.log"));
                    notes.put(variant.id() + " archive", archive.toString());
                }
                catch (Exception ex) {
                    notes.put(variant.id() + " archive", "failed: " + ex);
                    continue;
                }
            }
            launches.add(new Launch(id, app.id(), variant.id(),
                    app.javaArguments(variant, (extracted != null) ? extracted : app.jar(), archive)));
        }
        preparation.put(app.id(), notes);
        return launches;
    }

    // The SDK app is a plain JVM app: no AOT; with any CDS variant, it also runs with a dynamic CDS archive from a run
    // to READY (it has no exit on refresh).
    private List<Launch> prepareSdk(List<String> args, Map<String, Object> preparation) throws InterruptedException {
        List<String> plain = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"),
                MinimalSdkApp.class.getName()));
        plain.addAll(args);
        List<Launch> launches = new ArrayList<>();
        launches.add(new Launch("sdk", "sdk", StartupVariant.FAT_JAR.id(), plain));
        if (this.variants.stream().noneMatch(StartupVariant::cds)) {
            return launches;
        }
        Path archive = this.work.resolve("startup-sdk.jsa");
        List<String> training = new ArrayList<>(List.of("-XX:ArchiveClassesAtExit=" + archive));
        training.addAll(plain);
        String outcome;
        try {
            Files.deleteIfExists(archive);
            ChildJvm jvm = ChildJvm.spawn(this.launcher, training, "sdk", this.work.resolve("startup-sdk-training.log"))
                .quiet();
            try {
                jvm.await("READY", Deadline.in(Duration.ofSeconds(60), "sdk CDS training run"));
            }
            finally {
                // The archive is written as the JVM exits, after the client has closed: give it time.
                jvm.close(Duration.ofSeconds(60));
            }
            outcome = Files.exists(archive) ? archive.toString() : "no archive written";
        }
        catch (Exception ex) {
            outcome = "failed: " + ex;
        }
        preparation.put("sdk", Map.of("cds archive", outcome));
        if (Files.exists(archive)) {
            List<String> cds = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive));
            cds.addAll(plain);
            launches.add(new Launch("sdk+cds", "sdk", StartupVariant.CDS.id(), cds));
        }
        return launches;
    }

    private Map<String, Object> measure(Launch launch, int round) throws InterruptedException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", launch.id());
        record.put("app", launch.app());
        record.put("variant", launch.variant());
        record.put("round", round);
        record.put("loadAverage", RunEnvironment.loadAverage());
        try (ChildJvm jvm = ChildJvm.spawn(this.launcher, launch.javaArguments(), launch.id(),
                this.work.resolve("startup-" + launch.id() + ".log")).quiet()) {
            String uptime = jvm.await("READY", Deadline.in(Duration.ofSeconds(60), launch.id() + " start"));
            record.put("spawnToReadyMillis", (System.nanoTime() - jvm.spawnedAtNanos()) / 1e6);
            record.put("jvmUptimeAtReadyMillis", Double.parseDouble(uptime));
            record.put("rssKibAtReady", jvm.residentKib());
            this.out.printf(Locale.ROOT, "  [start-up round %d] %-18s %7.0f ms spawn to ready, RSS %,d KiB%n", round,
                    launch.id(), Rounds.number(record, "spawnToReadyMillis"), (Long) record.get("rssKibAtReady"));
        }
        catch (Exception ex) {
            record.put("error", String.valueOf(ex));
            this.out.printf("  [start-up round %d] %s FAILED: %s%n", round, launch.id(), ex);
        }
        return record;
    }

    private Map<String, Object> summarize(Launch launch, List<Map<String, Object>> runs) {
        List<Map<String, Object>> own = runs.stream()
            .filter((r) -> r.get("id").equals(launch.id()) && !r.containsKey("error")).toList();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", launch.id());
        s.put("app", launch.app());
        s.put("variant", launch.variant());
        s.put("runs", own.size());
        s.put("spawnToReadyMillisMedian", Rounds.median(own.stream()
            .map((r) -> Rounds.number(r, "spawnToReadyMillis")).toList()));
        s.put("jvmUptimeAtReadyMillisMedian", Rounds.median(own.stream()
            .map((r) -> Rounds.number(r, "jvmUptimeAtReadyMillis")).toList()));
        s.put("rssKibAtReadyMedian", Rounds.median(own.stream().map((r) -> Rounds.number(r, "rssKibAtReady"))
            .toList()));
        this.out.printf(Locale.ROOT, "  %-18s median %7.0f ms, RSS %,.0f KiB (%d runs)%n", launch.id(),
                Rounds.number(s, "spawnToReadyMillisMedian"), Rounds.number(s, "rssKibAtReadyMedian"), own.size());
        return s;
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
