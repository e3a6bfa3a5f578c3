package dev.iothub.emulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Telemetry and cloud-to-device messages over REST: pages of received telemetry, clearing it, its live stream of
 * server-sent events, and Unicode application properties in headers.
 */
class TelemetryApiTests {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static final AtomicInteger ids = new AtomicInteger();

    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().webSocketPort(-1).serviceHttpsPort(-1).start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static String newDevice() {
        String deviceId = "telemetry-" + ids.incrementAndGet();
        hub.registerDevice(deviceId);
        return deviceId;
    }

    private static void send(PahoDevice device, String deviceId, String body) throws Exception {
        device.publish("devices/" + deviceId + "/messages/events/", body, 1, false);
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.serviceUri().resolve(path)).build(),
                BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    @Test
    void whenPagedWithALimitAndACursorThenEachPageContinuesWhereTheLastEnded() throws Exception {
        String deviceId = newDevice();
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            for (int i = 1; i <= 5; i++) {
                send(device, deviceId, "m" + i);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.telemetry(deviceId).size() == 5);
        }
        JsonNode first = getJson("/devices/" + deviceId + "/messages/events?limit=2");
        assertThat(first.valueStream().map((message) -> message.path("body").asString())).containsExactly("m1", "m2");
        long cursor = first.get(1).path("sequenceNumber").asLong();
        JsonNode rest = getJson("/devices/" + deviceId + "/messages/events?limit=10&after=" + cursor);
        assertThat(rest.valueStream().map((message) -> message.path("body").asString()))
            .containsExactly("m3", "m4", "m5");
        String since = rest.get(2).path("enqueuedTime").asString();
        assertThat(getJson("/devices/" + deviceId + "/messages/events?since=" + since).size()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void whenClearedThenTheDevicesTelemetryIsGoneAndOtherDevicesKeepTheirs() throws Exception {
        String cleared = newDevice();
        String kept = newDevice();
        try (PahoDevice one = new PahoDevice(hub, cleared).connect();
                PahoDevice two = new PahoDevice(hub, kept).connect()) {
            send(one, cleared, "gone");
            send(two, kept, "stays");
            await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.telemetry(cleared).size() == 1 && hub.telemetry(kept).size() == 1);
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.serviceUri()
            .resolve("/devices/" + cleared + "/messages/events")).DELETE().build(), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(getJson("/devices/" + cleared + "/messages/events").size()).isZero();
        assertThat(getJson("/devices/" + kept + "/messages/events").size()).isEqualTo(1);
    }

    @Test
    void whenTelemetryArrivesThenTheStreamSendsItAsAServerSentEvent() throws Exception {
        String deviceId = newDevice();
        HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(hub.serviceUri()
            .resolve("/devices/" + deviceId + "/messages/events/stream")).build(), BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                (type) -> assertThat(type).startsWith("text/event-stream"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> stream.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            assertThat(next(lines)).startsWith(":");
            send(device, deviceId, "live");
            assertThat(nextNonComment(lines)).isEqualTo("event: telemetry");
            String data = next(lines);
            assertThat(data).startsWith("data: ");
            JsonNode message = json.readTree(data.substring("data: ".length()));
            assertThat(message.path("body").asString()).isEqualTo("live");
            assertThat(message.path("deviceId").asString()).isEqualTo(deviceId);
            assertThat(message).isEqualTo(getJson("/devices/" + deviceId + "/messages/events").get(0));
        }
        finally {
            stream.body().close();
        }
    }

    @Test
    void whenAPropertyValueIsPercentEncodedUtf8ThenTheDeviceReceivesTheUnicodeText() throws Exception {
        String deviceId = newDevice();
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("devices/" + deviceId + "/messages/devicebound/#", 1);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(hub.serviceUri()
                + "/devices/" + deviceId + "/messages/deviceBound"))
                .header("iothub-app-city", "Z%C3%BCrich %E2%82%AC 50%")
                .POST(BodyPublishers.ofString("hi"))
                .build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(204);
            String topic = device.next().topic();
            assertThat(java.net.URLDecoder.decode(topic, java.nio.charset.StandardCharsets.UTF_8))
                .contains("city=Zürich € 50%");
        }
    }

    private static String next(BlockingQueue<String> lines) throws InterruptedException {
        String line = lines.poll(10, TimeUnit.SECONDS);
        assertThat(line).as("a line of the event stream within 10 s").isNotNull();
        return line;
    }

    private static String nextNonComment(BlockingQueue<String> lines) throws InterruptedException {
        String line = next(lines);
        while (line.isEmpty() || line.startsWith(":")) {
            line = next(lines);
        }
        return line;
    }
}
