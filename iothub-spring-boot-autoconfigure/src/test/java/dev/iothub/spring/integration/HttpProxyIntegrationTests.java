package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.health.IotHubHealthIndicator;
import dev.iothub.spring.inbound.DirectMethodResponse;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both transports through a real HTTP proxy ({@link TinyProxy}): tunnelled telemetry, methods and twin, a wrong
 * proxy password, and a proxy restart in the middle of a session.
 */
@ExtendWith(OutputCaptureExtension.class)
class HttpProxyIntegrationTests {

    private static final String PROXY_USER = "device";

    private static final String PROXY_PASSWORD = "pr0xy-s3cret";

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenAProxyIsSetThenTelemetryMethodsAndTwinGoThroughItsTunnel(IotHubTransport transport) {
        String deviceId = "proxied-" + transport.propertyValue();
        emulator.registerDevice(deviceId);
        try (TinyProxy proxy = TinyProxy.start(PROXY_USER, PROXY_PASSWORD);
                ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, deviceId,
                        proxyProperties(proxy, PROXY_PASSWORD))) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(deviceId));
            assertThat(emulator.connectedVia(deviceId)).contains(EmulatorApplications.endpoint(transport));
            assertThat(proxy.logText()).contains("CONNECT localhost:" + EmulatorApplications.port(emulator, transport));

            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("via", "proxy")).join();
            assertThat(emulator.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10)).bodyAsString())
                .isEqualTo("{\"via\":\"proxy\"}");
            context.getBean(IotHubInboundRouter.class).addDirectMethodHandler("ping",
                    (request) -> DirectMethodResponse.of(200, "\"pong\""));
            MethodResult result = emulator.invokeMethod(deviceId, "ping", null, Duration.ofSeconds(10));
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.payload()).isEqualTo("\"pong\"");
            IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
            long version = twin.updateReportedProperties(Map.of("network", "proxy")).join();
            assertThat(twin.getTwin().join().reportedVersion()).isEqualTo(version);
        }
    }

    @Test
    void whenTheProxyPasswordIsWrongThenTheRefusalIsExplainedOnceAndRetriesReachALaterCorrectProxy(
            CapturedOutput output) throws Exception {
        emulator.registerDevice("proxy-auth");
        String wrongPassword = "wr0ng-s3cret";
        try (TinyProxy proxy = TinyProxy.start(PROXY_USER, PROXY_PASSWORD);
                ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "proxy-auth",
                        withBackoff(proxyProperties(proxy, wrongPassword)))) {
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> events.of(IotHubReconnectingEvent.class).size() >= 3);
            // tinyproxy answers wrong credentials with 401 where RFC 9110 has 407; both are explained the same way
            assertThat(output).containsPattern("The HTTP proxy 127\\.0\\.0\\.1:" + proxy.port()
                    + " refused the CONNECT: 'HTTP/1\\.[01] 40[17] ")
                .contains("(tunnel to localhost:" + emulator.mqttPort() + ")")
                .contains("check iothub.proxy.username and iothub.proxy.password");
            assertThat(output.toString().split("check iothub.proxy.username", -1)).as("explained once").hasSize(2);
            Health health = context.getBean(IotHubHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("error").toString()).containsPattern("40[17]");
            assertThat(health.getDetails()).containsEntry("transport", "mqtt")
                .containsEntry("proxy", "127.0.0.1:" + proxy.port());
            assertThat(health.toString()).doesNotContain(wrongPassword);

            proxy.restart(PROXY_USER, wrongPassword);
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected("proxy-auth"));
            // The emulator sees the CONNECT before the device has subscribed and reports itself up
            await().atMost(EmulatorApplications.awaitTimeout()).untilAsserted(() -> assertThat(
                    context.getBean(IotHubHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP));
        }
        assertThat(output).doesNotContain(wrongPassword).doesNotContain(PROXY_PASSWORD);
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheProxyRestartsMidSessionThenTheDeviceReconnectsAndEveryAcceptedMessageArrives(
            IotHubTransport transport) throws Exception {
        String deviceId = "proxy-restart-" + transport.propertyValue();
        emulator.registerDevice(deviceId);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (TinyProxy proxy = TinyProxy.start(null, null);
                ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, deviceId,
                        withBackoff(proxyProperties(proxy, null)))) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
            AtomicInteger sequence = new AtomicInteger();
            ticker.scheduleAtFixedRate(() -> sent.add(telemetry.send(TelemetryMessage.builder("n")
                .messageId("restart-" + sequence.getAndIncrement()).build())), 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.telemetry(deviceId).size() > 20);
            proxy.stop();
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> !manager.isConnected());
            Thread.sleep(500);
            proxy.restart(null, null);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> events.of(IotHubConnectedEvent.class).size() == 2 && manager.isConnected());
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.telemetry(deviceId).size()
                    > sequence.get() - 10);
            ticker.shutdown();
            assertThat(ticker.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            Set<String> received = emulator.telemetry(deviceId).stream()
                .map((message) -> message.systemProperties().get("message-id"))
                .collect(Collectors.toSet());
            for (int i = 0; i < sequence.get(); i++) {
                assertThat(received).contains("restart-" + i);
            }
            assertThat(emulator.connectedVia(deviceId)).contains(EmulatorApplications.endpoint(transport));
        }
        finally {
            ticker.shutdownNow();
        }
    }

    private static String[] proxyProperties(TinyProxy proxy, String password) {
        return (password != null)
                ? new String[] { "iothub.proxy.host=127.0.0.1", "iothub.proxy.port=" + proxy.port(),
                        "iothub.proxy.username=" + PROXY_USER, "iothub.proxy.password=" + password }
                : new String[] { "iothub.proxy.host=127.0.0.1", "iothub.proxy.port=" + proxy.port() };
    }

    private static String[] withBackoff(String... properties) {
        List<String> all = new java.util.ArrayList<>(List.of(properties));
        all.addAll(List.of("iothub.reconnect.initial-delay=200ms", "iothub.reconnect.max-delay=500ms",
                "iothub.reconnect.jitter=0"));
        return all.toArray(String[]::new);
    }

}
