package dev.iothub.emulator;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.protocol.SasToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console page at {@code /} of the service port, driven in a real headless Chromium ({@link ConsoleBrowser})
 * against devices played by a plain Paho client: on the loopback HTTP port, where authentication is optional, and
 * over HTTPS, where it is required. The same page with a device run by the starter is
 * {@code ConsoleWithStarterDeviceBrowserTests} of {@code iothub-spring-boot-test}.
 */
class ConsoleBrowserTests {

    private static final AtomicInteger ids = new AtomicInteger();

    private static IotHubEmulator hub;

    private static ConsoleBrowser browser;

    @BeforeAll
    static void startHubAndBrowser() {
        browser = ConsoleBrowser.start();
        hub = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopHubAndBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @BeforeEach
    void openConsole() {
        browser.open(hub.serviceUri());
    }

    @Test
    void connectedDeviceAppearsConnectedWithItsEndpointAndItsConnectionEvents() throws Exception {
        String deviceId = newDeviceId("console-'ws'(1)");
        browser.until((page) -> "Disconnected".equals(browser.cell(deviceId, "state")));
        try (PahoDevice device = new PahoDevice(hub, deviceId, DeviceEndpoint.MQTT_WEBSOCKET).connect()) {
            browser.until((page) -> "Connected".equals(browser.cell(deviceId, "state")));
            assertThat(browser.cell(deviceId, "via")).isEqualTo("mqtt-ws");
            assertThat(browser.cell(deviceId, "activity")).isNotEmpty();
        }
        browser.until((page) -> "Disconnected".equals(browser.cell(deviceId, "state")));
        assertThat(browser.cell(deviceId, "via")).isEmpty();
        assertThat(browser.texts("#events li"))
            .anyMatch((event) -> event.endsWith(deviceId + " connected via mqtt-ws"))
            .anyMatch((event) -> event.endsWith(deviceId + " disconnected"));
    }

    @Test
    void modulesAreListedUnderTheirDevice() {
        String deviceId = newDeviceId("console-edge");
        hub.registerModule(deviceId, "sensor");
        browser.until((page) -> "Disconnected".equals(browser.cell(deviceId + "/sensor", "state")));
        assertThat(browser.cell(deviceId + "/sensor", "id")).isEqualTo("sensor");
        browser.click(deviceId + "/sensor", "button.select");
        browser.until((page) -> ("Module " + deviceId + "/sensor").equals(browser.text("device-title")));
        assertThat(browser.find("c2d-card").isDisplayed()).isFalse();
    }

    @Test
    void telemetryTheDeviceSendsShowsUpLiveWithItsPropertiesAsText() throws Exception {
        String deviceId = newDeviceId("console-telemetry");
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.publish("devices/" + deviceId + "/messages/events/", "{\"before\":true}", 1, false);
            hub.awaitTelemetry(deviceId, (message) -> true, ConsoleBrowser.TIMEOUT);
            browser.select(deviceId);
            browser.until((page) -> "(live)".equals(browser.text("telemetry-mode")));
            browser.until((page) -> browser.texts("#telemetry-rows td.body").equals(List.of("{\"before\":true}")));
            String hostile = "{\"temperature\":21.5,\"note\":\"<img src=x onerror=alert(1)>\"}";
            device.publish("devices/" + deviceId + "/messages/events/unit=%C2%B0C&label=%3Cb%3Ex%3C%2Fb%3E",
                    hostile, 1, false);
            browser.until((page) -> browser.texts("#telemetry-rows td.body").size() == 2);
            WebElement row = browser.findAll("#telemetry-rows tr.message").get(0);
            assertThat(row.findElement(By.cssSelector("td.body")).getText()).isEqualTo(hostile);
            assertThat(row.findElement(By.cssSelector("td.properties")).getText()).contains("unit=°C")
                .contains("label=<b>x</b>");
            assertThat(browser.findAll("#telemetry-rows img, #telemetry-rows b")).isEmpty();
            device.publish("devices/" + deviceId + "/messages/events/", "{\"temperature\":22}", 1, false);
            browser.until((page) -> browser.texts("#telemetry-rows td.body")
                .equals(List.of("{\"temperature\":22}", hostile, "{\"before\":true}")));
        }
    }

    @Test
    void methodInvokedFromThePageReachesTheDeviceAndItsAnswerIsShown() throws Exception {
        try (PahoDevice device = selectConnected("console-method", "$iothub/methods/POST/#")) {
            browser.type("method-name", "reboot");
            browser.type("method-payload", "{\"delay\":3}");
            browser.press("invoke-method");
            PahoDevice.Received request = device.next();
            assertThat(request.topic()).startsWith("$iothub/methods/POST/reboot/?$rid=");
            assertThat(request.body()).isEqualTo("{\"delay\":3}");
            String rid = request.topic().substring(request.topic().indexOf("$rid=") + 5);
            device.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"rebooting\":\"<now>\"}", 1, false);
            browser.until((page) -> browser.text("method-result").startsWith("status 200"));
            assertThat(browser.text("method-result")).contains("\"rebooting\": \"<now>\"");
        }
    }

    @Test
    void desiredEditFromThePageReachesTheDevice() throws Exception {
        try (PahoDevice device = selectConnected("console-twin", "$iothub/twin/PATCH/properties/desired/#")) {
            browser.type("desired-patch", "{\"interval\":5}");
            browser.press("patch-desired");
            PahoDevice.Received patch = device.next();
            assertThat(patch.topic()).startsWith("$iothub/twin/PATCH/properties/desired/?$version=");
            assertThat(patch.body()).contains("\"interval\":5");
            browser.until((page) -> browser.text("twin-desired").contains("\"interval\": 5"));
            assertThat(hub.twin(device.deviceId()).desired()).containsEntry("interval", 5);
        }
    }

    @Test
    void cloudToDeviceMessageSentFromThePageReachesTheDeviceWithItsProperties() throws Exception {
        try (PahoDevice device = selectConnected("console-c2d", "devices/%s/messages/devicebound/#")) {
            browser.type("c2d-body", "{\"command\":\"light-on\"}");
            browser.type("c2d-properties", "room=kitchen");
            browser.press("send-c2d");
            PahoDevice.Received message = device.next();
            assertThat(message.body()).isEqualTo("{\"command\":\"light-on\"}");
            assertThat(message.topic()).contains("room=kitchen");
            browser.until((page) -> browser.text("c2d-result").startsWith("Queued, message id "));
        }
    }

    @Test
    void devicesCreatedAndDeletedFromThePageAreInTheRegistry() {
        String deviceId = "console-created-" + ids.incrementAndGet();
        browser.type("new-device-id", deviceId);
        browser.press("create-device");
        browser.until((page) -> browser.row(deviceId) != null);
        assertThat(hub.device(deviceId).deviceId()).isEqualTo(deviceId);
        browser.click(deviceId, "button.delete");
        browser.until((page) -> browser.row(deviceId) == null);
        assertThat(hub.devices()).noneMatch((identity) -> identity.id().equals(deviceId));
    }

    @Test
    void overHttpsThePageAsksForTheConnectionStringOrATokenAndSendsItWithEveryRequestAndTheStream() throws Exception {
        try (IotHubEmulator secured = IotHubEmulator.builder().serviceAuthenticationRequired(true)
            .serviceHttpsPort(0)
            .start()) {
            String deviceId = "console-secured";
            secured.registerDevice(deviceId);
            browser.open(secured.serviceHttpsUri());
            browser.until((page) -> browser.text("sign-in-error").contains("requires authentication"));
            assertThat(browser.find("registry").isDisplayed()).isFalse();
            browser.signIn(secured.serviceConnectionString().replaceAll("SharedAccessKey=.*",
                    "SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
            browser.until((page) -> browser.text("sign-in-error").contains("refused the credential"));
            assertThat(browser.text("sign-in-error")).contains("signature does not match");

            browser.signIn(secured.serviceConnectionString());
            browser.until((page) -> "Disconnected".equals(browser.cell(deviceId, "state")));
            try (PahoDevice device = new PahoDevice(secured, deviceId).connect()) {
                browser.until((page) -> "Connected".equals(browser.cell(deviceId, "state")));
                browser.select(deviceId);
                browser.until((page) -> "(live)".equals(browser.text("telemetry-mode")));
                device.publish("devices/" + deviceId + "/messages/events/", "{\"secured\":true}", 1, false);
                browser.until((page) -> browser.texts("#telemetry-rows td.body").equals(List.of("{\"secured\":true}")));
            }
            assertThat(browser.script("return sessionStorage.getItem('iothub-console-credential')"))
                .isEqualTo(secured.serviceConnectionString());
            assertThat(browser.script("return localStorage.length + ' ' + document.cookie")).isEqualTo("0 ");
            browser.press("sign-out");
            browser.until((page) -> browser.find("credential").isDisplayed());
            assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);

            String key = secured.serviceConnectionString().replaceAll(".*SharedAccessKey=", "");
            browser.signIn(SasToken.create(secured.hubName(), key, Instant.now().plusSeconds(600)).text()
                    + "&skn=iothubowner");
            browser.until((page) -> "Disconnected".equals(browser.cell(deviceId, "state")));
        }
    }

    private static String newDeviceId(String prefix) {
        String deviceId = prefix + "-" + ids.incrementAndGet();
        hub.registerDevice(deviceId);
        return deviceId;
    }

    /** A new device, connected with a subscription ({@code %s} for its id) and selected on the page. */
    private static PahoDevice selectConnected(String prefix, String subscription) throws MqttException {
        PahoDevice device = new PahoDevice(hub, newDeviceId(prefix)).connect();
        device.subscribe(subscription.formatted(device.deviceId()), 1);
        browser.select(device.deviceId());
        return device;
    }
}
