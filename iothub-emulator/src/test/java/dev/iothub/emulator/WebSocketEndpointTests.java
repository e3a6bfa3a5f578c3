package dev.iothub.emulator;

import java.time.Duration;
import java.util.Map;

import dev.iothub.protocol.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MQTT-over-WebSocket endpoint: the same hub behind {@code wss://…/$iothub/websocket}, and the refusals of
 * anything that is not an MQTT WebSocket upgrade.
 */
class WebSocketEndpointTests {

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().device("ws-device").start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void whenAPahoClientConnectsOverWssThenItsTelemetryReachesTheHub() throws Exception {
        try (PahoDevice device = new PahoDevice(hub, "ws-device", DeviceEndpoint.MQTT_WEBSOCKET).connect()) {
            device.publish(Topics.telemetry("ws-device", null, Map.of()), "{\"over\":\"websocket\"}", 1,
                    false);
            ReceivedTelemetry received = hub.awaitTelemetry("ws-device", (message) -> true, Duration.ofSeconds(10));
            assertThat(received.bodyAsString()).isEqualTo("{\"over\":\"websocket\"}");
            assertThat(hub.connectedVia("ws-device")).contains(DeviceEndpoint.MQTT_WEBSOCKET);
        }
    }
}
