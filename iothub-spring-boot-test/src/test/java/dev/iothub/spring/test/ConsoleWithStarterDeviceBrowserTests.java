package dev.iothub.spring.test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iothub.emulator.ConsoleBrowser;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulator's console in a real headless Chromium ({@link ConsoleBrowser}, from the emulator's test jar) with the
 * device played by a Spring Boot application and the starter, run by {@link AutoConfigureIotHubEmulator}: the page
 * shows it connected and its telemetry live, a method invoked from the page reaches its {@link DirectMethod}
 * handler, a desired edit its {@link DesiredPropertyListener}. In that order, so that the last test's screenshot
 * ({@code target/console.png}, the README's {@code docs/console.png}) shows all of it.
 */
@SpringBootTest(properties = { "spring.application.name=thermostat", "spring.main.banner-mode=off" })
@AutoConfigureIotHubEmulator
@TestPropertySource(properties = "iothub.emulator.service-port=0")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleWithStarterDeviceBrowserTests {

    private static final String DEVICE = "thermostat";

    private static ConsoleBrowser browser;

    @Autowired
    IotHubEmulator hub;

    @Autowired
    IotHubTelemetryTemplate telemetry;

    @Autowired
    Thermostat thermostat;

    @BeforeAll
    static void startBrowser() {
        browser = ConsoleBrowser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void openTheDevice() {
        browser.open(this.hub.serviceUri());
        browser.until((page) -> "Connected".equals(browser.cell(DEVICE, "state")));
        browser.select(DEVICE);
    }

    @Test
    @Order(1)
    void theDeviceIsShownConnectedAndTheTelemetryItSendsShowsUpLive() {
        assertThat(browser.cell(DEVICE, "via")).isEqualTo("mqtt");
        assertThat(browser.text("device-connection")).isEqualTo("Connected via mqtt");
        browser.until((page) -> "(live)".equals(browser.text("telemetry-mode")));
        this.telemetry.send(TelemetryMessage.builder(Map.of("temperature", 21.5)).property("unit", "°C").build())
            .join();
        browser.until((page) -> browser.texts("#telemetry-rows td.body").equals(List.of("{\"temperature\":21.5}")));
        assertThat(browser.texts("#telemetry-rows td.properties")).containsExactly("unit=°C");
        this.telemetry.send(Map.of("temperature", 22.0)).join();
        browser.until((page) -> browser.texts("#telemetry-rows td.body")
            .equals(List.of("{\"temperature\":22.0}", "{\"temperature\":21.5}")));
    }

    @Test
    @Order(2)
    void aDesiredEditFromThePageReachesTheDesiredPropertyListener() {
        browser.type("desired-patch", "{\"targetTemperature\":23.5}");
        browser.press("patch-desired");
        browser.until((page) -> this.thermostat.targets.contains(23.5));
        browser.until((page) -> browser.text("twin-desired").contains("\"targetTemperature\": 23.5"));
    }

    @Test
    @Order(3)
    void aMethodInvokedFromThePageReachesTheDirectMethodHandlerAndItsAnswerIsShown() throws Exception {
        browser.type("method-name", "reboot");
        browser.type("method-payload", "{\"delaySeconds\":3}");
        browser.press("invoke-method");
        browser.until((page) -> browser.text("method-result").startsWith("status 200"));
        assertThat(browser.text("method-result")).contains("\"status\": \"rebooting\"").contains("\"delaySeconds\": 3");
        assertThat(this.thermostat.reboots).containsExactly(3);
        browser.saveScreenshot(Path.of("target", "console.png"));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ThermostatApplication {

        @Bean
        Thermostat thermostat() {
            return new Thermostat();
        }

    }

    /** The device's handlers, recording what reached them. */
    static class Thermostat {

        final List<Double> targets = new CopyOnWriteArrayList<>();

        final List<Integer> reboots = new CopyOnWriteArrayList<>();

        @DirectMethod("reboot")
        RebootResponse reboot(RebootRequest request) {
            this.reboots.add(request.delaySeconds());
            return new RebootResponse("rebooting", request.delaySeconds());
        }

        @DesiredPropertyListener("targetTemperature")
        void onTargetTemperature(@Nullable Double celsius) {
            if (celsius != null) {
                this.targets.add(celsius);
            }
        }

    }

    record RebootRequest(int delaySeconds) {
    }

    record RebootResponse(String status, int delaySeconds) {
    }

}
