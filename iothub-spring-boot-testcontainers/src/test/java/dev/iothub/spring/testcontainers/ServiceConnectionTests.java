package dev.iothub.spring.testcontainers;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;
import org.springframework.test.annotation.DirtiesContext;

import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.testcontainers.IotHubEmulatorServiceClient.MethodAnswer;
import dev.iothub.spring.testcontainers.IotHubEmulatorServiceClient.Telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application connects to the emulator container through {@code @ServiceConnection}, with no {@code iothub.*}
 * property, and talks to it both ways.
 */
@RequiresContainerRuntime
@Testcontainers
@SpringBootTest
@DirtiesContext
class ServiceConnectionTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Container
    @ServiceConnection
    static final IotHubEmulatorContainer hub = new IotHubEmulatorContainer(EmulatorImage.get()).withDevice("thermostat");

    @Autowired
    IotHubConnectionDetails connectionDetails;

    @Autowired
    IotHubTelemetryTemplate telemetry;

    @Autowired
    Thermostat thermostat;

    @BeforeEach
    void connected() {
        await().atMost(TIMEOUT).until(() -> hub.getServiceClient().isConnected("thermostat"));
    }

    @Test
    void whenTheContainerIsAServiceConnectionThenTheApplicationConnectsAsItsDevice() {
        assertThat(this.connectionDetails.getDeviceId()).isEqualTo("thermostat");
        assertThat(this.connectionDetails.getPort(IotHubTransport.MQTT)).isEqualTo(hub.getMqttPort());
        assertThat(this.connectionDetails.getPort(IotHubTransport.MQTT_WS)).isEqualTo(hub.getWebSocketPort());
        assertThat(this.connectionDetails.getSharedAccessKey()).isEqualTo(hub.getPrimaryKey("thermostat"));
    }

    @Test
    void whenTheApplicationSendsTelemetryThenTheContainerReceivesIt() {
        this.telemetry.send(Map.of("temperature", 21.5)).join();
        Telemetry received = hub.getServiceClient()
            .awaitTelemetry("thermostat", (message) -> message.bodyAsString().contains("21.5"), TIMEOUT);
        assertThat(received.bodyAsString()).isEqualTo("{\"temperature\":21.5}");
    }

    @Test
    void whenTheBackEndInvokesADirectMethodThenTheApplicationAnswers() {
        MethodAnswer answer = hub.getServiceClient()
            .invokeMethod("thermostat", "reboot", Map.of("delaySeconds", 3), TIMEOUT);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.payload().path("status").asString()).isEqualTo("rebooting");
        assertThat(answer.payload().path("delaySeconds").asInt()).isEqualTo(3);
    }

    @Test
    void whenTheBackEndPatchesTheTwinThenTheApplicationReceivesTheDesiredValue() throws Exception {
        hub.getServiceClient().patchDesired("thermostat", Map.of("targetTemperature", 25.5));
        assertThat(this.thermostat.targets.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(25.5);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Thermostat.class)
    static class TestApplication {

    }

    @Component
    static class Thermostat {

        final BlockingQueue<Double> targets = new LinkedBlockingQueue<>();

        @DirectMethod("reboot")
        Map<String, Object> reboot(Map<String, Object> request) {
            return Map.of("status", "rebooting", "delaySeconds", request.getOrDefault("delaySeconds", 0));
        }

        @DesiredPropertyListener("targetTemperature")
        void onTargetTemperature(@Nullable Double celsius) {
            if (celsius != null) {
                this.targets.add(celsius);
            }
        }
    }
}
