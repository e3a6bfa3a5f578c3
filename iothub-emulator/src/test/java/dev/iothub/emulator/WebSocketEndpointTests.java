package dev.iothub.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The MQTT-over-WebSocket endpoint: the same hub behind {@code wss://…/$iothub/websocket}, MQTT bytes in binary
 * frames however the client cuts them, and the refusal of anything that is not an MQTT WebSocket upgrade. (The hub's
 * behaviour over it is in the parameterised {@link HubBehaviourTests}, {@link RawMqttConnectionTests},
 * {@link SlowDeviceTests} and {@link OfficialSdkConformanceTests}.)
 */
class WebSocketEndpointTests {

    private static final String DEVICE = "ws-device";

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().device(DEVICE).start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static byte[] connect(int keepAliveSeconds) {
        String token = SasToken.create(hub.hubName(), DEVICE, null, hub.device(DEVICE).primaryKey(),
                Instant.now().plusSeconds(300)).text();
        return MqttPackets.connect(DEVICE, MqttUsername.format(hub.hubName(), DEVICE, null, null), keepAliveSeconds,
                token);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] part : parts) {
            int start = all.length;
            all = Arrays.copyOf(all, start + part.length);
            System.arraycopy(part, 0, all, start, part.length);
        }
        return all;
    }

    @Nested
    class Sessions {

        @Test
        void whenAPahoClientConnectsOverWssThenItsTelemetryReachesTheHubAndTheHubKnowsTheEndpoint() throws Exception {
            assertThat(hub.connectedVia(DEVICE)).isEmpty();
            try (PahoDevice device = new PahoDevice(hub, DEVICE, DeviceEndpoint.MQTT_WEBSOCKET).connect()) {
                device.publish(Topics.telemetry(DEVICE, null, Map.of()), "{\"over\":\"websocket\"}", 1, false);
                ReceivedTelemetry received = hub.awaitTelemetry(DEVICE, (message) -> true, Duration.ofSeconds(10));
                assertThat(received.bodyAsString()).isEqualTo("{\"over\":\"websocket\"}");
                assertThat(hub.connectedVia(DEVICE)).contains(DeviceEndpoint.MQTT_WEBSOCKET);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.connectedVia(DEVICE).isEmpty());
            try (PahoDevice device = new PahoDevice(hub, DEVICE, DeviceEndpoint.MQTT).connect()) {
                assertThat(hub.connectedVia(DEVICE)).contains(DeviceEndpoint.MQTT);
            }
        }

        @Test
        void whenFramesCarryPartsOfPacketsOrSeveralPacketsThenTheHubReadsThePackets() throws Exception {
            try (DeviceSocket socket = DeviceSocket.open(hub, DeviceEndpoint.MQTT_WEBSOCKET)) {
                byte[] connect = connect(60);
                socket.sendFrame(DeviceSocket.OPCODE_BINARY, true, Arrays.copyOfRange(connect, 0, 5));
                socket.sendFrame(DeviceSocket.OPCODE_BINARY, true, Arrays.copyOfRange(connect, 5, connect.length));
                InputStream in = socket.in();
                assertThat(in.readNBytes(4)).containsExactly(0x20, 0x02, 0x00, 0x00);

                byte[] subscribeAndPing = concat(MqttPackets.subscribe(7, Topics.TWIN_RESPONSES_FILTER, 1),
                        new byte[] { (byte) 0xC0, 0x00 });
                socket.sendFrame(DeviceSocket.OPCODE_BINARY, false, Arrays.copyOfRange(subscribeAndPing, 0, 3));
                socket.sendFrame(DeviceSocket.OPCODE_CONTINUATION, false, Arrays.copyOfRange(subscribeAndPing, 3, 10));
                socket.sendFrame(DeviceSocket.OPCODE_CONTINUATION, true,
                        Arrays.copyOfRange(subscribeAndPing, 10, subscribeAndPing.length));
                assertThat(in.readNBytes(5)).containsExactly(0x90, 0x03, 0x00, 0x07, 0x01);
                assertThat(in.readNBytes(2)).containsExactly(0xD0, 0x00);
                assertThat(hub.connectedVia(DEVICE)).contains(DeviceEndpoint.MQTT_WEBSOCKET);
            }
        }

        @Test
        void whenThePathHasNoQueryOrTheMqttSubprotocolIsOneOfSeveralThenTheUpgradeIsAccepted() throws Exception {
            for (String[] request : new String[][] { { "/$iothub/websocket", "mqtt" },
                    { DeviceSocket.WEBSOCKET_TARGET, "chat, mqtt" } }) {
                try (SSLSocket socket = DeviceSocket.tlsSocket(hub, hub.webSocketPort(), 0)) {
                    DeviceSocket.HttpHead answer = DeviceSocket.exchange(socket,
                            DeviceSocket.upgradeRequest(request[0], request[1]));
                    assertThat(answer.status()).as(String.join(" ", request)).isEqualTo(101);
                    assertThat(answer.headers()).containsEntry("sec-websocket-protocol", "mqtt");
                }
            }
        }
    }

    @Nested
    class Refusals {

        @ParameterizedTest
        @ValueSource(strings = { "/$iothub/websocketX", "/$iothub/websocket/more", "/mqtt", "/",
                "/$iothub/websocketX?iothub-no-client-cert=true" })
        void whenThePathIsAnotherThen404AndTheConnectionCloses(String target) throws Exception {
            assertRefused(DeviceSocket.upgradeRequest(target, "mqtt"), 404);
        }

        @ParameterizedTest
        @ValueSource(strings = { "", "chat", "wamp, mqttv5", "MQTT" })
        void whenTheMqttSubprotocolIsNotAskedForThen400AndTheConnectionCloses(String subprotocols) throws Exception {
            assertRefused(DeviceSocket.upgradeRequest(DeviceSocket.WEBSOCKET_TARGET,
                    subprotocols.isEmpty() ? null : subprotocols), 400);
        }

        @Test
        void whenTheRequestIsNoUpgradeThen400AndTheConnectionCloses() throws Exception {
            assertRefused("GET " + DeviceSocket.WEBSOCKET_TARGET + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 400);
            assertRefused(DeviceSocket.upgradeRequest(DeviceSocket.WEBSOCKET_TARGET, "mqtt").replace("GET", "POST"),
                    400);
        }

        private static void assertRefused(String request, int status) throws IOException {
            try (SSLSocket socket = DeviceSocket.tlsSocket(hub, hub.webSocketPort(), 0)) {
                DeviceSocket.HttpHead answer = DeviceSocket.exchange(socket, request);
                assertThat(answer.status()).isEqualTo(status);
                assertThat(answer.headers()).doesNotContainKey("upgrade");
                int length = Integer.parseInt(answer.headers().get("content-length"));
                assertThat(socket.getInputStream().readNBytes(length)).hasSize(length);
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }

        @Test
        void whenATextFrameArrivesThenTheHubClosesWith1003() throws Exception {
            try (DeviceSocket socket = DeviceSocket.open(hub, DeviceEndpoint.MQTT_WEBSOCKET)) {
                socket.out().write(connect(60));
                assertThat(socket.in().readNBytes(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
                socket.sendFrame(DeviceSocket.OPCODE_TEXT, true, "{\"hello\":1}".getBytes(StandardCharsets.UTF_8));
                assertThat(socket.in().read()).isEqualTo(-1);
                assertThat(socket.closeStatus()).isEqualTo(1003);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !hub.isConnected(DEVICE));
        }

        @Test
        void whenTheWebSocketEndpointIsOffThenItsPortIsAnError() {
            try (IotHubEmulator noWebSocket = IotHubEmulator.builder().webSocketPort(-1).servicePort(-1).start()) {
                assertThatIllegalStateException().isThrownBy(noWebSocket::webSocketPort)
                    .withMessageContaining("WebSocket endpoint is off");
            }
        }
    }
}
