package dev.iothub.spring.autoconfigure;

import java.time.Clock;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.autoconfigure.emulator.IotHubEmulatorAutoConfiguration;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a real application prints when it needs the device connection and no IoT Hub is configured. Runs
 * {@link SpringApplication}, so the failure analyzers come from {@code spring.factories}.
 */
@ExtendWith(OutputCaptureExtension.class)
class IotHubNotConfiguredFailureAnalyzerTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void whenNoHubIsConfiguredAndABeanNeedsTheTemplateThenStartupSaysHowToConfigureOne(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(withoutEmulator(), TelemetryApplication.class,
                "--iothub.device-id=dev1", "--iothub.shared-access-key=" + KEY));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("No IoT Hub is configured")
            .contains(TelemetrySender.class.getName())
            .contains(IotHubTelemetryTemplate.class.getName())
            .contains("iothub.connection-string")
            .contains("iothub.host-name")
            .contains("iothub-emulator")
            .doesNotContain("Consider defining a bean")
            .doesNotContain(KEY);
    }

    @Test
    void whenTheEmbeddedEmulatorIsDisabledThenTheAnalysisSaysSo(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(new DefaultResourceLoader(), TelemetryApplication.class,
                "--iothub.emulator.enabled=false"));
        assertThat(output).contains("No IoT Hub is configured")
            .contains("iothub.emulator.enabled=false")
            .doesNotContain("Consider defining a bean");
    }

    @Test
    void whenTheConnectionStringRefersToAnUnsetVariableThenStartupSaysWhichOne(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(withoutEmulator(), TelemetryApplication.class,
                "--iothub.connection-string=${IOTHUB_TEST_UNSET_CONNECTION_STRING}"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid IoT Hub configuration 'iothub.connection-string'")
            .contains("IOTHUB_TEST_UNSET_CONNECTION_STRING")
            .doesNotContain("PlaceholderResolutionException");
    }

    @Test
    void whenAnotherBeanIsMissingThenSpringBootExplainsItAsUsual(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(withoutEmulator(), ClockApplication.class));
        assertThat(output).contains("required a bean of type 'java.time.Clock' that could not be found")
            .doesNotContain("No IoT Hub is configured");
    }

    private static ResourceLoader withoutEmulator() {
        return new DefaultResourceLoader(new FilteredClassLoader(IotHubEmulator.class));
    }

    private static void run(ResourceLoader resourceLoader, Class<?> configuration, String... args) {
        SpringApplication application = new SpringApplication(resourceLoader, configuration);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.run(args).close();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ IotHubEmulatorAutoConfiguration.class, IotHubAutoConfiguration.class })
    @Import(TelemetrySender.class)
    static class TelemetryApplication {

    }

    static class TelemetrySender {

        TelemetrySender(IotHubTelemetryTemplate telemetry) {
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ IotHubEmulatorAutoConfiguration.class, IotHubAutoConfiguration.class })
    @Import(ClockUser.class)
    static class ClockApplication {

    }

    static class ClockUser {

        ClockUser(Clock clock) {
        }

    }

}
