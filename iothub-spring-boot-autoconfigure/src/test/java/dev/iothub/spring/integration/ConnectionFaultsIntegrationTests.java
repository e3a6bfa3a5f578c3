package dev.iothub.spring.integration;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.protocol.Topics;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubConnectionEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the connection does when the hub or the network misbehaves: drops under load, a full telemetry queue at
 * reconnect, SUBACKs that never come or refuse a filter, unreachable or untrusted endpoints.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionFaultsIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenTheConnectionDropsRepeatedlyUnderLoadThenMaxPendingStillHoldsAndEveryMessageArrives(
            CapturedOutput output) throws Exception {
        emulator.registerDevice("load1");
        AtomicBoolean producing = new AtomicBoolean(true);
        List<CompletableFuture<Void>> accepted = new CopyOnWriteArrayList<>();
        AtomicInteger sequence = new AtomicInteger();
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "load1",
                "iothub.publish.max-in-flight=10", "iothub.publish.max-pending=20", "iothub.publish.send-timeout=0s",
                "iothub.reconnect.initial-delay=100ms", "iothub.reconnect.jitter=0")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            Thread producer = new Thread(() -> {
                while (producing.get()) {
                    CompletableFuture<Void> sent = telemetry
                        .send(TelemetryMessage.builder(new byte[128]).messageId("m" + sequence.get()).build());
                    if (!sent.isCompletedExceptionally()) {
                        accepted.add(sent);
                        sequence.incrementAndGet();
                    }
                    else {
                        Thread.onSpinWait();
                    }
                }
            }, "load1-producer");
            producer.start();
            for (int drop = 1; drop <= 10; drop++) {
                int connectedSoFar = drop;
                await().atMost(EmulatorApplications.awaitTimeout()).until(() -> manager.isConnected()
                        && events.of(IotHubConnectedEvent.class).size() == connectedSoFar);
                await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.telemetry("load1").size()
                        > 50 * connectedSoFar);
                emulator.disconnect("load1");
            }
            producing.set(false);
            producer.join(10_000);
            CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(accepted).noneMatch(CompletableFuture::isCompletedExceptionally);
            List<String> received = emulator.telemetry("load1").stream()
                .map((message) -> message.systemProperties().get("message-id"))
                .toList();
            assertThat(received.stream().collect(Collectors.toSet())).hasSize(sequence.get());
            assertThat(received.size() - sequence.get()).as("duplicates: at most the window at each of 10 drops")
                .isLessThanOrEqualTo(10 * 10);

            emulator.disconnect("load1");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> manager.getStatus().state() != IotHubConnectionState.CONNECTED);
            List<CompletableFuture<Void>> offline = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                offline.add(telemetry.send(new byte[16]));
            }
            List<CompletableFuture<Void>> acceptedOffline = offline.stream()
                .filter((sent) -> !sent.isCompletedExceptionally())
                .toList();
            assertThat(acceptedOffline).hasSize(20);
            CompletableFuture.allOf(acceptedOffline.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        }
        assertThat(output).doesNotContain("were not acknowledged by IoT Hub before shutdown");
    }

    @Test
    void whenTheTelemetryQueueIsFullAtReconnectThenTheTwinIsStillReadAndOfflineDesiredChangesArrive() throws Exception {
        emulator.registerDevice("full1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "full1",
                "iothub.publish.max-in-flight=10", "iothub.publish.max-pending=20", "iothub.publish.send-timeout=0s",
                "iothub.reconnect.initial-delay=3s", "iothub.reconnect.jitter=0")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            List<DesiredPropertiesUpdate> desired = new CopyOnWriteArrayList<>();
            context.getBean(IotHubInboundRouter.class).addDesiredPropertiesHandler(desired::add);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            emulator.disconnect("full1");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> manager.getStatus().state() == IotHubConnectionState.RECONNECTING);
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                queued.add(telemetry.send(Map.of("queued", i)));
            }
            assertThat(telemetry.send(Map.of("queued", 20))).isCompletedExceptionally();
            long version = emulator.patchDesired("full1", Map.of("setpoint", 42));
            assertThat(manager.getStatus().state()).as("still offline when desired changed")
                .isEqualTo(IotHubConnectionState.RECONNECTING);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> desired.stream().anyMatch((update) -> update.version() == version));
            assertThat(desired.get(desired.size() - 1).payloadAsString()).contains("\"setpoint\":42");
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenTheHubNeverAnswersTheSubscribeThenTheConnectionIsDroppedAndRetriedUntilItDoes(CapturedOutput output) {
        emulator.registerDevice("suback1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "suback1",
                "iothub.connect-timeout=1s", "iothub.reconnect.initial-delay=200ms", "iothub.reconnect.jitter=0")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            emulator.ignoreSubscriptions("suback1", true);
            emulator.disconnect("suback1");
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> subscribeFailures(events) >= 2);
            assertThat(manager.isConnected()).isFalse();
            assertThat(manager.getStatus().lastDisconnectReason()).isEqualTo(DisconnectReason.SUBSCRIBE_FAILED);
            assertThat(manager.getStatus().lastError()).contains("did not answer the SUBSCRIBE")
                .contains("iothub.connect-timeout");
            emulator.clearSubscriptionFaults("suback1");
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            assertOneReconnectPerFailure(events);
        }
        assertThat(output).contains("did not answer the SUBSCRIBE of suback1");
    }

    @Test
    void whenTheHubRefusesOneFilterThenTheErrorNamesItAndEachFailureSchedulesOneReconnect() {
        emulator.registerDevice("refuse1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "refuse1",
                "iothub.reconnect.initial-delay=200ms", "iothub.reconnect.jitter=0",
                "iothub.reconnect.max-delay=400ms")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            emulator.refuseSubscription("refuse1", Topics.METHODS_FILTER);
            emulator.disconnect("refuse1");
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> subscribeFailures(events) >= 3);
            assertThat(manager.getStatus().lastError()).contains("refused the subscription")
                .contains(Topics.METHODS_FILTER)
                .doesNotContain(Topics.TWIN_RESPONSES_FILTER);
            emulator.clearSubscriptionFaults("refuse1");
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            assertOneReconnectPerFailure(events);
        }
    }

    private static long subscribeFailures(ConnectionEvents events) {
        return events.of(IotHubDisconnectedEvent.class).stream()
            .filter((event) -> event.getReason() == DisconnectReason.SUBSCRIBE_FAILED)
            .count();
    }

    /** Between two disconnects exactly one reconnect is scheduled, with attempts counting up by one. */
    private static void assertOneReconnectPerFailure(ConnectionEvents events) {
        List<IotHubConnectionEvent> sequence = events.events.stream()
            .filter((event) -> event instanceof IotHubDisconnectedEvent || event instanceof IotHubReconnectingEvent
                    || event instanceof IotHubConnectedEvent)
            .toList();
        int expectedAttempt = 1;
        for (IotHubConnectionEvent event : sequence) {
            if (event instanceof IotHubReconnectingEvent reconnecting) {
                assertThat(reconnecting.getAttempt()).as("reconnect attempts in %s", sequence)
                    .isEqualTo(expectedAttempt++);
            }
            else if (event instanceof IotHubConnectedEvent) {
                expectedAttempt = 1;
            }
        }
        assertThat(events.of(IotHubReconnectingEvent.class)).hasSize(events.of(IotHubDisconnectedEvent.class).size());
    }

    @Test
    void whenNothingListensOnThePortThenTheLogNamesHostPortAndPropertyOnceThenStaysBrief(CapturedOutput output)
            throws IOException {
        emulator.registerDevice("refused1");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "refused1",
                "iothub.port=" + closedPort, "iothub.reconnect.initial-delay=100ms",
                "iothub.reconnect.max-delay=200ms")) {
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> events.of(IotHubReconnectingEvent.class).size() >= 3);
        }
        String refusal = "localhost:" + closedPort + " refused the connection";
        assertThat(output).contains(refusal + "; check iothub.port");
        assertThat(output.toString().split(";\\s*check iothub.port", -1)).hasSize(2);
        assertThat(output).contains(refusal + " (attempt 2)");
    }

    @Test
    void whenTheHubsCertificateIsNotTrustedThenTheLogPointsToTheSslBundle(CapturedOutput output) {
        emulator.registerDevice("pkix1");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                EmulatorApplications.DeviceApplication.class).web(WebApplicationType.NONE)
            .properties("iothub.connection-string=" + emulator.connectionString("pkix1"),
                    "iothub.port=" + emulator.mqttPort(), "iothub.connect-timeout=2s",
                    "spring.main.banner-mode=off")
            .run()) {
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> !events.of(IotHubReconnectingEvent.class).isEmpty());
        }
        assertThat(output).contains("the TLS certificate of localhost:" + emulator.mqttPort() + " is not trusted")
            .contains("set iothub.ssl.bundle");
    }

    @Test
    void whenTheHubClosesFreshConnectionsRepeatedlyThenTheWarningListsPossibleCausesWithoutGuessing(
            CapturedOutput output) {
        emulator.registerDevice("closed1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "closed1",
                "iothub.reconnect.initial-delay=100ms", "iothub.reconnect.jitter=0")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            for (int close = 1; close <= 3; close++) {
                int connections = close;
                await().atMost(EmulatorApplications.awaitTimeout())
                    .until(() -> manager.isConnected() && events.of(IotHubConnectedEvent.class).size() == connections);
                emulator.disconnect("closed1");
            }
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> output.toString().contains("three times in a row"));
        }
        assertThat(output).contains("Possible causes: another client connecting with the same identity")
            .contains("400027")
            .doesNotContain("probably");
    }

    @Test
    void whenMqttWsPointsAtAPortThatIsNotAWebSocketEndpointThenTheLogSaysTheUpgradeFailed(CapturedOutput output) {
        emulator.registerDevice("wrongport1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator,
                dev.iothub.spring.connection.IotHubTransport.MQTT_WS, "wrongport1", "iothub.port=" + emulator.mqttPort(),
                "iothub.reconnect.initial-delay=100ms", "iothub.reconnect.max-delay=200ms")) {
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> events.of(IotHubReconnectingEvent.class).size() >= 2);
        }
        assertThat(output).contains("the WebSocket upgrade at localhost:" + emulator.mqttPort()
                + "/$iothub/websocket failed");
    }

}
