package dev.iothub.benchmarks.harness;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BootJarAppTests {

    private final BootJarApp app = BootJarApp.of("starter", "startup-starter", List.of("connection", "ca.pem"));

    private final Path extracted = Path.of("work/startup-starter/startup-starter.jar");

    private final Path archive = Path.of("work/startup-starter+cds.jsa");

    @Test
    void theFatJarIsFoundInItsModuleNextToTheBenchmarksModule() {
        assertThat(this.app.jar()).endsWith(Path.of("benchmarks", "startup-starter", "target", "startup-starter.jar"));
    }

    @Test
    void asBuiltTheFatJarStartsWithJavaJar() {
        assertThat(this.app.javaArguments(StartupVariant.FAT_JAR, this.extracted, this.archive))
            .containsExactly("-jar", this.app.jar().toString(), "connection", "ca.pem");
    }

    @Test
    void withCdsTheExtractedJarStartsWithTheArchive() {
        assertThat(this.app.javaArguments(StartupVariant.CDS, this.extracted, this.archive)).containsExactly(
                "-XX:SharedArchiveFile=" + this.archive, "-jar", this.extracted.toString(), "connection", "ca.pem");
    }

    @Test
    void withAotTheFatJarStartsWithItsAotCode() {
        assertThat(this.app.javaArguments(StartupVariant.AOT, this.extracted, this.archive))
            .containsExactly("-Dspring.aot.enabled=true", "-jar", this.app.jar().toString(), "connection", "ca.pem");
    }

    @Test
    void withAotAndCdsTheExtractedJarStartsWithBoth() {
        assertThat(this.app.javaArguments(StartupVariant.AOT_CDS, this.extracted, this.archive)).containsExactly(
                "-Dspring.aot.enabled=true", "-XX:SharedArchiveFile=" + this.archive, "-jar",
                this.extracted.toString(), "connection", "ca.pem");
    }

}
