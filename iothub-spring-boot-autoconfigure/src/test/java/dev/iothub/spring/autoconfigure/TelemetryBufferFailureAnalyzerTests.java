package dev.iothub.spring.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.buffer.TelemetryLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a real application prints when its disk buffer cannot be opened. Runs {@link SpringApplication}, so the
 * failure analyzers come from {@code spring.factories}; start-up fails before any connection attempt.
 */
@ExtendWith(OutputCaptureExtension.class)
class TelemetryBufferFailureAnalyzerTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @TempDir
    Path directory;

    @Test
    void whenTheBufferDirectoryIsAFileThenStartupSaysWhereAndHowToFixIt(CapturedOutput output) throws IOException {
        Path file = Files.writeString(this.directory.resolve("buffer"), "a file");
        assertThatException().isThrownBy(() -> run(file));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("The telemetry buffer (iothub.buffer.type=disk) cannot be opened in " + file.resolve("dev1"))
            .contains("a file is in the way")
            .contains("Set iothub.buffer.directory to a directory the application may create and write")
            .doesNotContain(KEY);
    }

    @Test
    void whenAnotherApplicationHoldsTheBufferThenStartupSaysSo(CapturedOutput output) {
        try (TelemetryLog other = TelemetryLog.open(new DiskBufferOptions(this.directory.resolve("dev1"), 64 * 1024,
                DiskBufferOptions.Sync.INTERVAL, Duration.ofSeconds(1), DiskBufferOptions.WhenFull.BLOCK), "other")) {
            assertThatException().isThrownBy(() -> run(this.directory));
        }
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("another process or application uses it")
            .contains("its own iothub.buffer.directory");
    }

    private static void run(Path bufferDirectory) {
        SpringApplication application = new SpringApplication(BufferedApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.run("--iothub.connection-string=HostName=hub.invalid;DeviceId=dev1;SharedAccessKey=" + KEY,
                "--iothub.buffer.type=disk", "--iothub.buffer.directory=" + bufferDirectory,
                "--iothub.emulator.enabled=false").close();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(IotHubAutoConfiguration.class)
    static class BufferedApplication {

    }

}
