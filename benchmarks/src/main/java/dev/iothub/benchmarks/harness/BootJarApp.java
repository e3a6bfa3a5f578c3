package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.iothub.benchmarks.process.ChildJvm;

/**
 * One Spring Boot executable fat jar of the start-up scenario (built by the {@code benchmarks/startup-*} modules) and
 * the Java arguments that start it in each {@link StartupVariant}. CDS follows Spring Boot's recipe: the jar is
 * extracted with {@code -Djarmode=tools}, one training run of the extracted jar with
 * {@code -XX:ArchiveClassesAtExit} and {@code -Dspring.context.exit=onRefresh} writes the archive, and the measured
 * runs start the extracted jar with {@code -XX:SharedArchiveFile}.
 */
final class BootJarApp {

    private static final Duration PREPARATION_TIMEOUT = Duration.ofSeconds(120);

    private final String id;

    private final Path jar;

    private final List<String> args;

    private BootJarApp(String id, Path jar, List<String> args) {
        this.id = id;
        this.jar = jar;
        this.args = args;
    }

    /**
     * The fat jar of module {@code benchmarks/<module>}, looked for next to this benchmarks jar's module (both are
     * built by {@code benchmarks/run}); see {@link #missing()}.
     */
    static BootJarApp of(String id, String module, List<String> args) {
        return new BootJarApp(id, benchmarksDirectory().resolve(module).resolve("target").resolve(module + ".jar"),
                args);
    }

    private static Path benchmarksDirectory() {
        try {
            Path self = Path.of(BootJarApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // benchmarks/target/iothub-benchmarks.jar, or benchmarks/target/classes when run from the IDE
            return self.toAbsolutePath().getParent().getParent();
        }
        catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    String id() {
        return this.id;
    }

    Path jar() {
        return this.jar;
    }

    /** Why the jar cannot be started, if it has not been built. */
    Optional<String> missing() {
        if (Files.isRegularFile(this.jar)) {
            return Optional.empty();
        }
        String module = this.jar.getParent().getParent().getFileName().toString();
        return Optional.of(this.jar + " is missing: build it with ./mvnw -q -Pbenchmarks -pl benchmarks/" + module
                + " -am package -DskipTests (benchmarks/run does)");
    }

    /** The Java arguments of a measured run; {@code archive} is the CDS archive of a CDS variant. */
    List<String> javaArguments(StartupVariant variant, Path extractedJar, Path archive) {
        List<String> arguments = new ArrayList<>(variant.aotOptions());
        if (variant.cds()) {
            arguments.add("-XX:SharedArchiveFile=" + archive);
        }
        arguments.add("-jar");
        arguments.add((variant.cds() ? extractedJar : this.jar).toString());
        arguments.addAll(this.args);
        return arguments;
    }

    /** Extracts the jar into {@code directory} and returns the extracted application jar. */
    Path extract(List<String> launcher, Path directory, Path log) throws IOException, InterruptedException {
        runToExit(launcher, List.of("-Djarmode=tools", "-jar", this.jar.toString(), "extract", "--destination",
                directory.toString(), "--force"), log);
        Path extracted = directory.resolve(this.jar.getFileName());
        if (!Files.isRegularFile(extracted)) {
            throw new IllegalStateException("extracting " + this.jar + " wrote no " + extracted + "; see " + log);
        }
        return extracted;
    }

    /** Runs the training run of a CDS variant and returns the archive it wrote. */
    Path train(List<String> launcher, StartupVariant variant, Path extractedJar, Path archive, Path log)
            throws IOException, InterruptedException {
        Files.deleteIfExists(archive);
        List<String> arguments = new ArrayList<>(variant.aotOptions());
        arguments.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-jar",
                extractedJar.toString()));
        arguments.addAll(this.args);
        runToExit(launcher, arguments, log);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the training run wrote no archive; see " + log);
        }
        return archive;
    }

    private void runToExit(List<String> launcher, List<String> arguments, Path log)
            throws IOException, InterruptedException {
        ChildJvm jvm = ChildJvm.spawn(launcher, arguments, this.id, log).quiet();
        // The child ends by itself (extraction, or the training run's exit on refresh); closing stdin does no harm.
        if (!jvm.close(PREPARATION_TIMEOUT)) {
            throw new IllegalStateException("did not end within " + PREPARATION_TIMEOUT + "; see " + log);
        }
    }

}
