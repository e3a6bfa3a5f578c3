package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.Map;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GatewayHostName} (IoT Edge): the socket goes to the gateway while the username and the SAS token keep the
 * hub's {@code HostName}. The emulator plays both: its hub name {@code iothub.invalid} cannot be resolved, so the
 * device reaches it only through the gateway address {@code 127.0.0.1}.
 */
class GatewayHostNameIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().hubName("iothub.invalid").servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenAGatewayIsNamedThenTheSocketGoesThereAndTheIdentityStaysTheHubs(IotHubTransport transport) {
        String leaf = "edge-leaf-" + transport.propertyValue();
        emulator.registerDevice(leaf);
        String connectionString = emulator.connectionString(leaf) + ";GatewayHostName=127.0.0.1";
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, leaf,
                "iothub.connection-string=" + connectionString)) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(leaf));
            assertThat(emulator.connectedVia(leaf)).contains(EmulatorApplications.endpoint(transport));
            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("via", "gateway")).join();
            ReceivedTelemetry message = emulator.awaitTelemetry(leaf, (m) -> true, Duration.ofSeconds(10));
            assertThat(message.bodyAsString()).isEqualTo("{\"via\":\"gateway\"}");
        }
    }

}
