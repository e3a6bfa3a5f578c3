package dev.iothub.spring.integration;

import java.time.Duration;
import java.time.Instant;
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

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.spring.connection.IotHubBackPressureException;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.health.IotHubHealthIndicator;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connection lifecycle against the emulator: SAS renewal, forced disconnects, duplicate connections, bad
 * credentials, expiring pre-built tokens, health and shutdown.
 */
class IotHubConnectionLifecycleIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().tokenExpiryGrace(Duration.ZERO).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTokenLivesFiveSecondsThenItIsRenewedWithoutDisconnectsOrLostTelemetry(IotHubTransport transport)
            throws Exception {
        String renew1 = "renew1-" + transport.propertyValue();
        emulator.registerDevice(renew1);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, renew1,
                "iothub.sas.time-to-live=5s")) {
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
            List<Boolean> upWhileSending = new CopyOnWriteArrayList<>();
            AtomicInteger sequence = new AtomicInteger();
            ticker.scheduleAtFixedRate(() -> {
                upWhileSending.add(manager.getStatus().isUp());
                sent.add(telemetry.send(dev.iothub.spring.telemetry.TelemetryMessage
                        .builder("n" + sequence.get()).messageId("renew-" + sequence.getAndIncrement()).build()));
            }, 0, 50, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> events.renewals() >= 2);
            ticker.shutdown();
            assertThat(ticker.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            assertThat(emulator.connectedVia(renew1)).contains(EmulatorApplications.endpoint(transport));
            Set<String> received = emulator.telemetry(renew1).stream()
                    .map((message) -> message.systemProperties().get("message-id")).collect(Collectors.toSet());
            for (int i = 0; i < sequence.get(); i++) {
                assertThat(received).contains("renew-" + i);
            }
            assertThat(events.of(IotHubDisconnectedEvent.class)).isEmpty();
            assertThat(events.of(IotHubConnectedEvent.class)).hasSize(1);
            assertThat(upWhileSending).containsOnly(true);
            assertThat(manager.getStatus().tokenExpiry()).isAfter(Instant.now());
        }
        finally {
            ticker.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenAnotherClientUsesTheIdentityThenTheKickIsReportedAndSurvived(IotHubTransport transport)
            throws Exception {
        String kick1 = "kick1-" + transport.propertyValue();
        DeviceIdentity identity = emulator.registerDevice(kick1);
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, kick1,
                "iothub.reconnect.initial-delay=500ms")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            MqttAsyncClient intruder = new MqttAsyncClient("ssl://localhost:" + emulator.mqttPort(), kick1,
                    new MemoryPersistence());
            try {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                options.setUserName(MqttUsername.format("localhost", kick1, null, null));
                options.setPassword(SasToken.create("localhost", kick1, null, identity.primaryKey(),
                        Instant.now().plusSeconds(600)).text().toCharArray());
                options.setSocketFactory(emulator.clientSslContext().getSocketFactory());
                intruder.connect(options).waitForCompletion(10_000);
                await().atMost(EmulatorApplications.awaitTimeout())
                    .until(() -> !events.of(IotHubDisconnectedEvent.class).isEmpty());
                assertThat(events.of(IotHubDisconnectedEvent.class).get(0).getReason())
                    .isEqualTo(DisconnectReason.CONNECTION_LOST);
                await().atMost(EmulatorApplications.awaitTimeout())
                    .until(() -> events.of(IotHubConnectedEvent.class).size() == 2 && !intruder.isConnected());
                assertThat(events.of(IotHubReconnectingEvent.class)).isNotEmpty();
                assertThat(emulator.connectedVia(kick1)).contains(EmulatorApplications.endpoint(transport));
                assertThat(context.getBean(IotHubHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
            }
            finally {
                intruder.close(true);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheHubDropsTheConnectionThenHealthIsDownWithTheReasonUntilReconnected(IotHubTransport transport) {
        String health1 = "health1-" + transport.propertyValue();
        DeviceIdentity identity = emulator.registerDevice(health1);
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, health1,
                "iothub.reconnect.initial-delay=3s", "iothub.reconnect.jitter=0")) {
            IotHubHealthIndicator indicator = context.getBean(IotHubHealthIndicator.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> indicator.health().getStatus().equals(Status.UP));
            Health up = indicator.health();
            assertThat(up.getDetails()).containsEntry("hostName", "localhost").containsEntry("deviceId", health1);
            assertThat(up.toString()).doesNotContain(identity.primaryKey()).doesNotContain("sig=");
            emulator.disconnect(health1);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> indicator.health().getStatus().equals(Status.DOWN));
            assertThat(indicator.health().getDetails()).containsEntry("reason", DisconnectReason.CONNECTION_LOST);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> indicator.health().getStatus().equals(Status.UP));
            assertThat(emulator.connectedVia(health1)).contains(EmulatorApplications.endpoint(transport));
        }
    }

    @Test
    void whenTheKeyIsWrongThenHealthSaysNotAuthorizedWithoutTheKey() {
        emulator.registerDevice("badkey1");
        String wrongKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "badkey1",
                "iothub.shared-access-key=" + wrongKey)) {
            IotHubHealthIndicator indicator = context.getBean(IotHubHealthIndicator.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> !events.of(IotHubReconnectingEvent.class).isEmpty());
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("reason", DisconnectReason.NOT_AUTHORIZED);
            assertThat(health.getDetails().get("error").toString()).contains("refused the credentials");
            assertThat(health.toString()).doesNotContain(wrongKey);
        }
    }

    @Test
    void whenAPreBuiltTokenExpiresThenTheConnectionEndsWithAClearReason() {
        DeviceIdentity identity = emulator.registerDevice("sas1");
        // Long enough to outlive start-up on a loaded machine (the token is checked when the connection is built).
        SasToken token = SasToken.create("localhost", "sas1", null, identity.primaryKey(),
                Instant.now().plusSeconds(12));
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "sas1",
                "iothub.connection-string=HostName=localhost;DeviceId=sas1;SharedAccessSignature=" + token.text())) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            ConnectionEvents events = context.getBean(ConnectionEvents.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> manager.getStatus().state() == IotHubConnectionState.EXPIRED);
            assertThat(events.of(IotHubDisconnectedEvent.class)).extracting(IotHubDisconnectedEvent::getReason)
                .containsExactly(DisconnectReason.SAS_TOKEN_EXPIRED);
            Health health = context.getBean(IotHubHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("error").toString()).contains("cannot be renewed");
        }
    }

    @Test
    void whenThousandsOfMessagesAreSentAtOnceThenTheyArePipelinedWithoutPahoErrors() throws Exception {
        emulator.registerDevice("burst1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "burst1",
                "iothub.publish.max-in-flight=20", "iothub.publish.max-pending=5000")) {
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> context.getBean(IotHubClientManager.class).isConnected());
            List<CompletableFuture<Void>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                sent.add(telemetry.send(new byte[64]));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(emulator.telemetry("burst1")).hasSizeGreaterThanOrEqualTo(3000);
        }
    }

    @Test
    void whenTheConnectionIsDownThenSendsWaitAndAFullWindowFailsClearly() throws Exception {
        emulator.registerDevice("offline1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "offline1",
                "iothub.reconnect.initial-delay=3s", "iothub.reconnect.jitter=0", "iothub.publish.max-in-flight=2",
                "iothub.publish.max-pending=5", "iothub.publish.send-timeout=0s")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            emulator.disconnect("offline1");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> manager.getStatus().state() == IotHubConnectionState.RECONNECTING);
            List<CompletableFuture<Void>> waiting = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiting.add(telemetry.send(Map.of("offline", i)));
            }
            assertThat(waiting).noneMatch(CompletableFuture::isDone);
            assertThat(telemetry.send(Map.of("offline", 5))).failsWithin(Duration.ofSeconds(1))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(IotHubBackPressureException.class)
                .withMessageContaining("iothub.publish.max-pending");
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            assertThat(emulator.telemetry("offline1")).hasSize(5);
        }
    }

    @Test
    void whenTheApplicationStopsThenSentTelemetryIsAcknowledgedAndNoThreadIsLeft() throws Exception {
        emulator.registerDevice("stop1");
        List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "stop1")) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            for (int i = 0; i < 200; i++) {
                sent.add(telemetry.send(Map.of("i", i)));
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(emulator.telemetry("stop1")).hasSizeGreaterThanOrEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf("stop1")).isEmpty());
        assertThat(emulator.isConnected("stop1")).isFalse();
    }

    private static List<String> threadsOf(String deviceId) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter((name) -> !name.startsWith("iothub-emulator"))
                .filter((name) -> name.contains(deviceId) || name.startsWith("iothub-") || name.startsWith("MQTT"))
                .toList();
    }

}
