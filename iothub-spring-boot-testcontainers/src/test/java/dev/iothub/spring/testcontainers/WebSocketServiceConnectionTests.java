package dev.iothub.spring.testcontainers;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.test.annotation.DirtiesContext;

import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code iothub.transport=mqtt-ws} and nothing else, a {@code @ServiceConnection} application connects to the
 * container's published MQTT-over-WebSocket port.
 */
@RequiresContainerRuntime
@Testcontainers
@SpringBootTest(properties = "iothub.transport=mqtt-ws")
@DirtiesContext
class WebSocketServiceConnectionTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Container
    @ServiceConnection
    static final IotHubEmulatorContainer hub = new IotHubEmulatorContainer(EmulatorImage.get()).withDevice("sensor");

    @Autowired
    IotHubTelemetryTemplate telemetry;

    @Test
    void whenTheTransportIsMqttWsThenTheApplicationConnectsThroughTheWebSocketPort() {
        await().atMost(TIMEOUT).until(() -> "mqtt-ws".equals(hub.getServiceClient().connectedVia("sensor")));
        this.telemetry.send(Map.of("humidity", 40)).join();
        assertThat(hub.getServiceClient()
            .awaitTelemetry("sensor", (message) -> message.bodyAsString().contains("humidity"), TIMEOUT)
            .bodyAsString()).isEqualTo("{\"humidity\":40}");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TestApplication {

    }
}
