package dev.iothub.emulator;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console page at {@code /} of the service port, driven in a real headless Chromium (Debian's {@code chromium}
 * and {@code chromium-driver}, see {@code .ci/prepare-browser}) against devices played by a plain Paho client.
 * Skipped where that browser is not installed, unless {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true} (as in CI),
 * which makes it fail instead. Saves a screenshot of the page as {@code target/console.png}.
 */
class ConsoleBrowserTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final AtomicInteger ids = new AtomicInteger();

    private static IotHubEmulator hub;

    private static ChromeDriver browser;

    private WebDriverWait wait;

    @BeforeAll
    static void startHubAndBrowser() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String reason = CHROMIUM + " or " + CHROMEDRIVER + " is missing (run .ci/prepare-browser)";
            if (Boolean.parseBoolean(System.getenv("IOTHUB_TESTS_REQUIRE_ENVIRONMENT"))) {
                throw new IllegalStateException(reason + ", and IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true");
            }
            Assumptions.abort(reason);
        }
        hub = IotHubEmulator.builder().start();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,900",
                    "--user-data-dir=" + tempDirectory("iothub-console-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopHubAndBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @BeforeEach
    void openConsole() {
        this.wait = new WebDriverWait(browser, TIMEOUT);
        this.wait.ignoring(StaleElementReferenceException.class);
        browser.get(hub.serviceUri() + "/");
        this.wait.until(ExpectedConditions.titleIs("IoT Hub emulator"));
    }

    @Test
    void connectedDeviceAppearsConnectedWithItsEndpointAndItsConnectionEvents() throws Exception {
        String deviceId = newDeviceId("console-'ws'(1)");
        this.wait.until((page) -> "Disconnected".equals(cell(deviceId, "state")));
        try (PahoDevice device = new PahoDevice(hub, deviceId, DeviceEndpoint.MQTT_WEBSOCKET).connect()) {
            this.wait.until((page) -> "Connected".equals(cell(deviceId, "state")));
            assertThat(cell(deviceId, "via")).isEqualTo("mqtt-ws");
            assertThat(cell(deviceId, "activity")).isNotEmpty();
        }
        this.wait.until((page) -> "Disconnected".equals(cell(deviceId, "state")));
        assertThat(cell(deviceId, "via")).isEmpty();
        assertThat(texts("#events li")).anyMatch((event) -> event.endsWith(deviceId + " connected via mqtt-ws"))
            .anyMatch((event) -> event.endsWith(deviceId + " disconnected"));
    }

    @Test
    void modulesAreListedUnderTheirDevice() {
        String deviceId = newDeviceId("console-edge");
        hub.registerModule(deviceId, "sensor");
        this.wait.until((page) -> "Disconnected".equals(cell(deviceId + "/sensor", "state")));
        assertThat(cell(deviceId + "/sensor", "id")).isEqualTo("sensor");
        click(deviceId + "/sensor", "button.select");
        this.wait.until((page) -> ("Module " + deviceId + "/sensor").equals(text("device-title")));
        assertThat(browser.findElement(By.id("c2d-card")).isDisplayed()).isFalse();
    }

    @Test
    void telemetryTheDeviceSendsShowsUpLiveWithItsPropertiesAsText() throws Exception {
        String deviceId = newDeviceId("console-telemetry");
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.publish("devices/" + deviceId + "/messages/events/", "{\"before\":true}", 1, false);
            hub.awaitTelemetry(deviceId, (message) -> true, TIMEOUT);
            select(deviceId);
            this.wait.until((page) -> "(live)".equals(text("telemetry-mode")));
            this.wait.until((page) -> texts("#telemetry-rows td.body").equals(List.of("{\"before\":true}")));
            String hostile = "{\"temperature\":21.5,\"note\":\"<img src=x onerror=alert(1)>\"}";
            device.publish("devices/" + deviceId + "/messages/events/unit=%C2%B0C&label=%3Cb%3Ex%3C%2Fb%3E",
                    hostile, 1, false);
            this.wait.until((page) -> texts("#telemetry-rows td.body").size() == 2);
            WebElement row = browser.findElement(By.cssSelector("#telemetry-rows tr.message"));
            assertThat(row.findElement(By.cssSelector("td.body")).getText()).isEqualTo(hostile);
            assertThat(row.findElement(By.cssSelector("td.properties")).getText()).contains("unit=°C")
                .contains("label=<b>x</b>");
            assertThat(browser.findElements(By.cssSelector("#telemetry-rows img, #telemetry-rows b"))).isEmpty();
            device.publish("devices/" + deviceId + "/messages/events/", "{\"temperature\":22}", 1, false);
            this.wait.until((page) -> texts("#telemetry-rows td.body").equals(List.of("{\"temperature\":22}", hostile,
                    "{\"before\":true}")));
            saveScreenshot();
        }
    }

    @Test
    void methodInvokedFromThePageReachesTheDeviceAndItsAnswerIsShown() throws Exception {
        String deviceId = newDeviceId("console-method");
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("$iothub/methods/POST/#", 1);
            select(deviceId);
            type("method-name", "reboot");
            type("method-payload", "{\"delay\":3}");
            browser.findElement(By.id("invoke-method")).click();
            PahoDevice.Received request = device.next();
            assertThat(request.topic()).startsWith("$iothub/methods/POST/reboot/?$rid=");
            assertThat(request.body()).isEqualTo("{\"delay\":3}");
            String rid = request.topic().substring(request.topic().indexOf("$rid=") + 5);
            device.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"rebooting\":\"<now>\"}", 1, false);
            this.wait.until((page) -> text("method-result").startsWith("status 200"));
            assertThat(text("method-result")).contains("\"rebooting\": \"<now>\"");
        }
    }

    @Test
    void desiredEditFromThePageReachesTheDevice() throws Exception {
        String deviceId = newDeviceId("console-twin");
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("$iothub/twin/PATCH/properties/desired/#", 0);
            select(deviceId);
            type("desired-patch", "{\"interval\":5}");
            browser.findElement(By.id("patch-desired")).click();
            PahoDevice.Received patch = device.next();
            assertThat(patch.topic()).startsWith("$iothub/twin/PATCH/properties/desired/?$version=");
            assertThat(patch.body()).contains("\"interval\":5");
            this.wait.until((page) -> text("twin-desired").contains("\"interval\": 5"));
            assertThat(hub.twin(deviceId).desired()).containsEntry("interval", 5);
        }
    }

    @Test
    void cloudToDeviceMessageSentFromThePageReachesTheDeviceWithItsProperties() throws Exception {
        String deviceId = newDeviceId("console-c2d");
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("devices/" + deviceId + "/messages/devicebound/#", 1);
            select(deviceId);
            type("c2d-body", "{\"command\":\"light-on\"}");
            type("c2d-properties", "room=kitchen");
            browser.findElement(By.id("send-c2d")).click();
            PahoDevice.Received message = device.next();
            assertThat(message.body()).isEqualTo("{\"command\":\"light-on\"}");
            assertThat(message.topic()).contains("room=kitchen");
            this.wait.until((page) -> text("c2d-result").startsWith("Queued, message id "));
        }
    }

    @Test
    void devicesCreatedAndDeletedFromThePageAreInTheRegistry() {
        String deviceId = "console-created-" + ids.incrementAndGet();
        type("new-device-id", deviceId);
        browser.findElement(By.id("create-device")).click();
        this.wait.until((page) -> row(deviceId) != null);
        assertThat(hub.device(deviceId).deviceId()).isEqualTo(deviceId);
        click(deviceId, "button.delete");
        this.wait.until((page) -> row(deviceId) == null);
        assertThat(hub.devices()).noneMatch((identity) -> identity.id().equals(deviceId));
    }

    @Test
    void whereTheServiceApiRequiresAuthenticationThePageIsRefusedToo() {
        try (IotHubEmulator secured = IotHubEmulator.builder().serviceAuthenticationRequired(true).start()) {
            browser.get(secured.serviceUri() + "/");
            this.wait.until((page) -> browser.getPageSource().contains("IotHubUnauthorizedAccess"));
            assertThat(browser.findElements(By.id("device-rows"))).isEmpty();
        }
    }

    private static String newDeviceId(String prefix) {
        String deviceId = prefix + "-" + ids.incrementAndGet();
        hub.registerDevice(deviceId);
        return deviceId;
    }

    private void select(String deviceId) {
        click(deviceId, "button.select");
        this.wait.until((page) -> ("Device " + deviceId).equals(text("device-title")));
        this.wait.until((page) -> !text("twin-desired").isEmpty());
    }

    /** Clicks a button of a device's row, again if the page re-rendered the row meanwhile. */
    private void click(String deviceId, String button) {
        this.wait.until((page) -> {
            WebElement row = row(deviceId);
            if (row == null) {
                return false;
            }
            row.findElement(By.cssSelector(button)).click();
            return true;
        });
    }

    private static WebElement row(String id) {
        return browser.findElements(By.cssSelector("#device-rows tr"))
            .stream()
            .filter((row) -> id.equals(row.getDomAttribute("data-id")))
            .findFirst()
            .orElse(null);
    }

    private static String cell(String id, String column) {
        WebElement row = row(id);
        return (row != null) ? row.findElement(By.cssSelector("td." + column)).getText() : null;
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static List<String> texts(String selector) {
        return browser.findElements(By.cssSelector(selector)).stream().map(WebElement::getText).toList();
    }

    private static void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    private static void saveScreenshot() throws IOException {
        File screenshot = browser.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "console.png");
        Files.createDirectories(target.getParent());
        Files.copy(screenshot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
