package dev.iothub.emulator.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The standalone emulator's command: exit statuses, and a run on ephemeral ports up to {@code ready}.
 */
class EmulatorCommandTests {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private final EmulatorCommand command = new EmulatorCommand(new PrintStream(this.out, true, StandardCharsets.UTF_8),
            new PrintStream(this.err, true, StandardCharsets.UTF_8));

    private String out() {
        return this.out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void whenAnArgumentIsBadThenTheUsageIsPrintedAndTheStatusIs2() {
        assertThat(this.command.run("--mqtt-port", "nope")).isEqualTo(2);
        assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("error: --mqtt-port needs a port number")
            .contains("Usage: java -jar iothub-emulator.jar");
        assertThat(out()).isEmpty();
    }

    @Test
    void whenHelpIsAskedThenTheUsageIsPrintedAndTheStatusIs0() {
        assertThat(this.command.run("--help")).isZero();
        assertThat(out()).contains("--service-port PORT");
    }

    @Test
    void whenStartedThenItPrintsConnectionStringsAndTheDeviceEndpointsAndReadyAndServesRest(@TempDir Path dir)
            throws Exception {
        Path ca = dir.resolve("ca.pem");
        int webSocketPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            webSocketPort = probe.getLocalPort();
        }
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> this.command.run("--mqtt-port", "0",
                "--ws-port", Integer.toString(webSocketPort), "--service-port", "0", "--device", "a", "--device",
                "b:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "--ca-out", ca.toString()));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out().contains("ready" + System.lineSeparator()));
            assertThat(out()).contains("device a: HostName=localhost;DeviceId=a;SharedAccessKey=")
                .contains("device b: HostName=localhost;DeviceId=b;"
                        + "SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
            assertThat(Files.readString(ca)).startsWith("-----BEGIN CERTIFICATE-----");
            Matcher webSocket = Pattern.compile("mqtt-ws: 127\\.0\\.0\\.1:(\\d+) \\(MQTT over WebSocket, "
                    + "wss://127\\.0\\.0\\.1:(\\d+)/\\$iothub/websocket\\)").matcher(out());
            assertThat(webSocket.find()).as(out()).isTrue();
            assertThat(webSocket.group(1)).isEqualTo(webSocket.group(2)).isEqualTo(Integer.toString(webSocketPort));
            try (Socket listening = new Socket(InetAddress.getLoopbackAddress(), webSocketPort)) {
                assertThat(listening.isConnected()).isTrue();
            }
            Matcher serviceApi = Pattern.compile("service api: (http://\\S+)").matcher(out());
            assertThat(serviceApi.find()).isTrue();
            int devices = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(serviceApi.group(1) + "/devices")).build(),
                        BodyHandlers.ofString())
                .statusCode();
            assertThat(devices).isEqualTo(200);
        }
        finally {
            this.command.stop();
        }
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void whenTheWebSocketEndpointIsOffThenNoWebSocketEndpointIsPrinted() throws Exception {
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> this.command.run("--mqtt-port", "0",
                "--ws-port", "-1", "--service-port", "0"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out().contains("ready" + System.lineSeparator()));
            assertThat(out()).contains("mqtt: ").doesNotContain("mqtt-ws");
        }
        finally {
            this.command.stop();
        }
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void whenEnrollmentsAreGivenThenTheDpsScopeEndpointAndKeysArePrinted() throws Exception {
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> this.command.run("--mqtt-port", "0",
                "--ws-port", "-1", "--service-port", "0", "--dps-id-scope", "0ne0000ABCD", "--enrollment",
                "sensor-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "--enrollment-group", "fleet"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out().contains("ready" + System.lineSeparator()));
            Matcher dps = Pattern.compile("dps: id scope 0ne0000ABCD, global endpoint 127\\.0\\.0\\.1:(\\d+)")
                .matcher(out());
            assertThat(dps.find()).as(out()).isTrue();
            Matcher mqtt = Pattern.compile("mqtt: 127\\.0\\.0\\.1:(\\d+) ").matcher(out());
            assertThat(mqtt.find()).isTrue();
            assertThat(dps.group(1)).isEqualTo(mqtt.group(1));
            assertThat(out())
                .contains("enrollment sensor-1: symmetric key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
                .containsPattern("enrollment group fleet: symmetric key [A-Za-z0-9+/]{43}=");
        }
        finally {
            this.command.stop();
        }
        assertThat(status.get(30, TimeUnit.SECONDS)).isZero();
    }
}
