package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.spring.connection.IotHubBackPressureException;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;
import dev.iothub.spring.inbound.DirectMethodResponse;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.integration.FaultInjectingRelay.Direction;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import dev.iothub.spring.twin.DeviceTwin;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the connection does on a bad network rather than a clean close: a connection that goes silent, a slow and
 * distant link, and cuts in the middle of a twin request or a direct-method answer. Every scenario runs a real
 * application against the emulator over TLS through a {@link FaultInjectingRelay}, once per transport.
 */
class NetworkFaultsIntegrationTests {

    private static final Duration KEEP_ALIVE = Duration.ofSeconds(2);

    /**
     * Paho 1.2.5 (ClientState.checkForActivity) pings once nothing came from the hub for a keep-alive, but it checks
     * only when its timer fires, at most a keep-alive apart, so the ping may leave up to two keep-alives after the
     * last packet from the hub; the connection is given up at the next check, a keep-alive later, if still nothing
     * came. Plus a second for the timers, the connection thread and a loaded machine.
     */
    private static final Duration SILENCE_DETECTED_WITHIN = KEEP_ALIVE.multipliedBy(3).plusSeconds(1);

    private static IotHubEmulator emulator;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder()
            .servicePort(-1)
            .webSocketPort(0)
            .start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @AfterEach
    void closeResources() throws Exception {
        for (int i = this.resources.size() - 1; i >= 0; i--) {
            this.resources.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheConnectionGoesSilentThenKeepAliveDetectsItWithinThreeKeepAlivesAndNothingAcknowledgedIsLost(
            IotHubTransport transport) throws Exception {
        String deviceId = "silent-" + transport;
        FaultInjectingRelay relay = relay(transport);
        ConfigurableApplicationContext context = run(transport, relay, deviceId,
                "iothub.publish.max-in-flight=10", "iothub.publish.max-pending=20",
                "iothub.publish.send-timeout=300ms");
        IotHubClientManager manager = context.getBean(IotHubClientManager.class);
        IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
        ConnectionEvents events = context.getBean(ConnectionEvents.class);
        List<CompletableFuture<Void>> before = send(telemetry, "before", 10);
        CompletableFuture.allOf(before.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        relay.pause();
        long pausedAt = System.nanoTime();
        List<CompletableFuture<Void>> during = send(telemetry, "during", 20);
        assertThat(during).as("accepted while silent, up to max-pending").noneMatch(CompletableFuture::isDone);
        long refusing = System.nanoTime();
        CompletableFuture<Void> overLimit = telemetry.send(TelemetryMessage.builder(new byte[16]).build());
        assertThat(Duration.ofNanos(System.nanoTime() - refusing)).as("waited for room up to send-timeout")
            .isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(overLimit).failsWithin(Duration.ZERO)
            .withThrowableThat()
            .havingCause()
            .isInstanceOf(IotHubBackPressureException.class);

        await().atMost(SILENCE_DETECTED_WITHIN.minusNanos(System.nanoTime() - pausedAt))
            .until(() -> lost(events) == 1);
        Duration detectedAfter = Duration.ofNanos(System.nanoTime() - pausedAt);
        assertThat(detectedAfter).as("no ping can be missed before a keep-alive of silence")
            .isGreaterThanOrEqualTo(KEEP_ALIVE.minusMillis(100));
        await().atMost(EmulatorApplications.awaitTimeout())
            .until(() -> manager.isConnected() && relay.connections() == 2);
        CompletableFuture.allOf(during.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        relay.resume();

        Set<String> arrived = emulator.telemetry(deviceId)
            .stream()
            .map((message) -> message.systemProperties().get("message-id"))
            .collect(Collectors.toSet());
        assertThat(arrived).containsAll(ids("before", 10)).containsAll(ids("during", 20));
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheLinkIsSlowAndDistantThenTelemetryWaitsForTheWindowAndTheSasTokenIsStillRenewed(
            IotHubTransport transport) throws Exception {
        String deviceId = "slow-" + transport;
        FaultInjectingRelay relay = relay(transport);
        relay.latency(Duration.ofMillis(200));
        relay.throttle(32 * 1024);
        ConfigurableApplicationContext context = run(transport, relay, deviceId, "iothub.publish.max-in-flight=20",
                "iothub.publish.max-pending=50", "iothub.publish.send-timeout=30s", "iothub.sas.time-to-live=5s",
                "iothub.sas.renewal-threshold=0.4", "iothub.connect-timeout=10s");
        IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
        ConnectionEvents events = context.getBean(ConnectionEvents.class);
        AtomicBoolean producing = new AtomicBoolean(true);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        Thread producer = new Thread(() -> {
            for (int i = 0; producing.get(); i++) {
                CompletableFuture<Void> future = telemetry
                    .send(TelemetryMessage.builder(new byte[512]).messageId("slow-" + i).build());
                synchronized (sent) {
                    sent.add(future);
                }
            }
        }, "slow-link-producer");
        producer.start();
        try {
            // Until a renewal happened and more was offered than the window and max-pending hold together, however
            // fast the renewal comes.
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> {
                synchronized (sent) {
                    return events.renewals() >= 1 && sent.size() > 70;
                }
            });
        }
        finally {
            producing.set(false);
            producer.join(35_000);
        }
        List<CompletableFuture<Void>> all;
        synchronized (sent) {
            all = List.copyOf(sent);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(all).as("no send failed, none was refused for back-pressure")
            .noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(all).as("more than the window and max-pending together").hasSizeGreaterThan(70);
        assertThat(emulator.telemetry(deviceId)
            .stream()
            .map((message) -> message.systemProperties().get("message-id"))
            .collect(Collectors.toSet())).hasSize(all.size());
        assertThat(events.of(IotHubSasTokenRenewedEvent.class)).isNotEmpty();
        assertThat(events.of(IotHubDisconnectedEvent.class)).as("renewals only, no connection lost").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheConnectionIsCutBeforeTheHubsAnswerToTwinRequestsThenTheyAreSentAgainAndComplete(
            IotHubTransport transport) throws Exception {
        String deviceId = "twin-cut-" + transport;
        FaultInjectingRelay relay = relay(transport);
        ConfigurableApplicationContext context = run(transport, relay, deviceId, "iothub.operation-timeout=20s");
        IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
        IotHubClientManager manager = context.getBean(IotHubClientManager.class);
        long initialVersion = twin.updateReportedProperties(Map.of("phase", "before")).get(10, TimeUnit.SECONDS);

        relay.pause(Direction.HUB_TO_DEVICE);
        CompletableFuture<DeviceTwin> get = twin.getTwin();
        CompletableFuture<Long> patch = twin.updateReportedProperties(Map.of("phase", "during"));
        await().atMost(EmulatorApplications.awaitTimeout())
            .until(() -> "during".equals(emulator.twin(deviceId).reported().get("phase")));
        assertThat(get).as("the hub has both requests, the device no answer").isNotDone();
        assertThat(patch).isNotDone();
        long cutAt = System.nanoTime();
        relay.cutAll();

        DeviceTwin read = get.get(15, TimeUnit.SECONDS);
        long version = patch.get(15, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).as("answered after the reconnect, not timed out")
            .isLessThan(manager.getSettings().operationTimeout());
        assertThat(read.reported()).containsEntry("phase", "during");
        assertThat(version).as("the patch, applied once more with the same values").isGreaterThan(initialVersion + 1);
        assertThat(emulator.twin(deviceId).reported()).containsEntry("phase", "during");
        assertThat(relay.connections()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheConnectionIsDownForGoodThenATwinRequestFailsAfterTheOperationTimeoutSayingTheConnectionIsDown(
            IotHubTransport transport) {
        String deviceId = "twin-down-" + transport;
        FaultInjectingRelay relay = relay(transport);
        ConfigurableApplicationContext context = run(transport, relay, deviceId, "iothub.operation-timeout=2s");
        IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
        IotHubClientManager manager = context.getBean(IotHubClientManager.class);
        relay.close();
        await().atMost(EmulatorApplications.awaitTimeout())
            .until(() -> manager.getStatus().state() != IotHubConnectionState.CONNECTED);

        CompletableFuture<DeviceTwin> get = twin.getTwin();

        assertThat(get).failsWithin(Duration.ofSeconds(10))
            .withThrowableThat()
            .havingCause()
            .withMessageContaining("did not answer the twin request within 2s")
            .withMessageContaining("the connection to IoT Hub is down");
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheConnectionIsCutWhileAMethodRunsThenTheCallerGetsTheAnswerSentAfterTheReconnect(
            IotHubTransport transport) throws Exception {
        String deviceId = "method-cut-" + transport;
        FaultInjectingRelay relay = relay(transport);
        ConfigurableApplicationContext context = run(transport, relay, deviceId);
        IotHubClientManager manager = context.getBean(IotHubClientManager.class);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        context.getBean(IotHubInboundRouter.class).addDirectMethodHandler("calibrate", (request) -> {
            running.countDown();
            answer.await();
            return DirectMethodResponse.of(200, "{\"calibrated\":true}");
        });
        CompletableFuture<MethodResult> call = emulator.invokeMethodAsync(deviceId, "calibrate", null,
                Duration.ofSeconds(15));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        relay.cutAll();
        await().atMost(EmulatorApplications.awaitTimeout())
            .until(() -> manager.getStatus().state() != IotHubConnectionState.CONNECTED);
        answer.countDown();

        assertThat(call.get(15, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, "{\"calibrated\":true}"));
        assertThat(relay.connections()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheMethodAnswerIsLostOnTheWireThenItIsSentAgainAfterTheReconnect(
            IotHubTransport transport) throws Exception {
        String deviceId = "method-lost-" + transport;
        FaultInjectingRelay relay = relay(transport);
        ConfigurableApplicationContext context = run(transport, relay, deviceId);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        context.getBean(IotHubInboundRouter.class).addDirectMethodHandler("calibrate", (request) -> {
            running.countDown();
            answer.await();
            return DirectMethodResponse.of(200, "{\"calibrated\":true}");
        });
        CompletableFuture<MethodResult> call = emulator.invokeMethodAsync(deviceId, "calibrate", null,
                Duration.ofSeconds(15));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        relay.cutAfter(Direction.DEVICE_TO_HUB, 0);
        answer.countDown();

        assertThat(call.get(15, TimeUnit.SECONDS)).isEqualTo(new MethodResult(200, "{\"calibrated\":true}"));
        assertThat(relay.connections()).as("the answer's bytes cut the first connection").isEqualTo(2);
    }

    private FaultInjectingRelay relay(IotHubTransport transport) {
        FaultInjectingRelay relay = new FaultInjectingRelay(EmulatorApplications.port(emulator, transport));
        this.resources.add(relay);
        return relay;
    }

    /** Runs a connected application that reaches the hub through the relay, with short keep-alive and back-off. */
    private ConfigurableApplicationContext run(IotHubTransport transport, FaultInjectingRelay relay,
            String deviceId, String... extraProperties) {
        emulator.registerDevice(deviceId);
        List<String> properties = new ArrayList<>(List.of("iothub.port=" + relay.port(),
                "iothub.keep-alive=" + KEEP_ALIVE.toSeconds() + "s", "iothub.reconnect.initial-delay=100ms",
                "iothub.reconnect.jitter=0"));
        properties.addAll(List.of(extraProperties));
        ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, deviceId,
                properties.toArray(String[]::new));
        this.resources.add(context);
        await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(deviceId));
        assertThat(emulator.connectedVia(deviceId)).contains(EmulatorApplications.endpoint(transport));
        return context;
    }

    private static List<CompletableFuture<Void>> send(IotHubTelemetryTemplate telemetry, String prefix, int count) {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (String id : ids(prefix, count)) {
            sent.add(telemetry.send(TelemetryMessage.builder(new byte[64]).messageId(id).build()));
        }
        return sent;
    }

    private static List<String> ids(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
        }
        return ids;
    }

    private static long lost(ConnectionEvents events) {
        return events.of(IotHubDisconnectedEvent.class)
            .stream()
            .filter((event) -> event.getReason() == DisconnectReason.CONNECTION_LOST)
            .count();
    }

}
