package dev.iothub.spring.integration;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.emulator.TelemetrySubscription;
import dev.iothub.spring.connection.IotHubBackPressureException;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The disk buffer against the emulator over TLS: an outage with thousands of messages, and a child JVM killed with
 * SIGKILL while it sends, lose nothing and deliver oldest first.
 */
class DiskBufferIntegrationTests {

    private static final int BUFFER_BYTES = 64 * 1024;

    private static IotHubEmulator emulator;

    @TempDir
    Path buffer;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenTheHubIsUnreachableForAWhileThenThousandsOfBufferedMessagesArriveOldestFirstWithTheirIds()
            throws Exception {
        String deviceId = "buffer-outage";
        emulator.registerDevice(deviceId);
        try (FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort());
                ConfigurableApplicationContext context = EmulatorApplications.run(emulator, deviceId,
                        "iothub.port=" + relay.port(), "iothub.buffer.type=disk",
                        "iothub.buffer.directory=" + this.buffer, "iothub.reconnect.initial-delay=100ms",
                        "iothub.reconnect.max-delay=300ms")) {
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            await().atMost(Duration.ofSeconds(10)).until(connection::isConnected);
            relay.refuseConnections(true);
            relay.cutAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isConnected());
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int n = 0; n < 2000; n++) {
                sent.add(telemetry.send(TelemetryMessage.builder("reading " + n).property("n", "" + n).build()));
            }
            assertThat(sent).noneMatch(CompletableFuture::isCompletedExceptionally);
            long attempts = relay.connections();
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.connections() >= attempts + 3);
            assertThat(connection.getTelemetryBuffer().size()).isEqualTo(2000);
            relay.refuseConnections(false);
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertArrivedInOrder(deviceId, 2000);
            assertThat(connection.getTelemetryBuffer().size()).isZero();
        }
    }

    @Test
    void whenTheBufferIsFullAndBlocksThenASendFailsAfterTheSendTimeoutAndEveryAcceptedMessageArrives()
            throws Exception {
        String deviceId = "buffer-full-block";
        emulator.registerDevice(deviceId);
        try (FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort());
                ConfigurableApplicationContext context = runOffline(relay, deviceId, "block")) {
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            List<CompletableFuture<Void>> accepted = new ArrayList<>();
            CompletableFuture<Void> refused = null;
            while (refused == null && accepted.size() < 1000) {
                CompletableFuture<Void> sent = telemetry.send(reading(accepted.size()));
                if (sent.isCompletedExceptionally()) {
                    refused = sent;
                }
                else {
                    accepted.add(sent);
                }
            }
            assertThat(refused).as("a send into the full buffer").isNotNull();
            assertThat(refused).failsWithin(Duration.ZERO)
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(IotHubBackPressureException.class)
                .withMessageContaining("iothub.buffer.max-size");
            assertThat(accepted).hasSizeGreaterThan(10).noneMatch(CompletableFuture::isDone);
            assertThat(meters.get("iothub.telemetry.buffer.size").gauge().value()).isEqualTo(accepted.size());
            assertThat(meters.get("iothub.telemetry.buffer.bytes").gauge().value()).isPositive()
                .isLessThanOrEqualTo(BUFFER_BYTES);
            assertThat(meters.get("iothub.telemetry.sent").tags("outcome", "rejected").counter().count()).isOne();
            assertThat(meters.get("iothub.telemetry.buffer.dropped").functionCounter().count()).isZero();
            relay.refuseConnections(false);
            CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(distinct(deviceId)).containsExactlyElementsOf(IntStream.range(0, accepted.size()).boxed().toList());
            await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("iothub.telemetry.buffer.size").gauge().value() == 0);
            assertThat(connection.getTelemetryBuffer().droppedCount()).isZero();
        }
    }

    @Test
    void whenTheBufferIsFullAndDropsTheOldestThenTheNewestArriveAndTheDroppedAreCounted() throws Exception {
        String deviceId = "buffer-full-drop";
        emulator.registerDevice(deviceId);
        try (FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort());
                ConfigurableApplicationContext context = runOffline(relay, deviceId, "drop-oldest")) {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            int count = 300;
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                sent.add(telemetry.send(reading(n)));
            }
            int dropped = (int) meters.get("iothub.telemetry.buffer.dropped").functionCounter().count();
            assertThat(dropped).isPositive()
                .isEqualTo(context.getBean(IotHubClientManager.class).getTelemetryBuffer().droppedCount());
            assertThat(meters.get("iothub.telemetry.buffer.size").gauge().value()).isEqualTo(count - dropped);
            assertThat(meters.get("iothub.telemetry.buffer.bytes").gauge().value()).isLessThanOrEqualTo(BUFFER_BYTES);
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(sent.subList(0, dropped))
                    .allMatch(CompletableFuture::isCompletedExceptionally));
            relay.refuseConnections(false);
            CompletableFuture.allOf(sent.subList(dropped, count).toArray(CompletableFuture[]::new))
                .get(30, TimeUnit.SECONDS);
            assertThat(distinct(deviceId)).containsExactlyElementsOf(IntStream.range(dropped, count).boxed().toList());
            await().atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("iothub.telemetry.buffer.size").gauge().value() == 0);
        }
    }

    /** An application with a small disk buffer, once it connected and then lost the hub. */
    private ConfigurableApplicationContext runOffline(FaultInjectingRelay relay, String deviceId, String whenFull) {
        ConfigurableApplicationContext context = EmulatorApplications.run(emulator, deviceId,
                "iothub.port=" + relay.port(), "iothub.buffer.type=disk", "iothub.buffer.directory=" + this.buffer,
                "iothub.buffer.max-size=" + BUFFER_BYTES + "B", "iothub.buffer.when-full=" + whenFull,
                "iothub.publish.send-timeout=100ms", "iothub.reconnect.initial-delay=100ms",
                "iothub.reconnect.max-delay=300ms");
        IotHubClientManager connection = context.getBean(IotHubClientManager.class);
        await().atMost(Duration.ofSeconds(10)).until(connection::isConnected);
        relay.refuseConnections(true);
        relay.cutAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isConnected());
        return context;
    }

    private static TelemetryMessage reading(int n) {
        return TelemetryMessage.builder("x".repeat(1000)).property("n", "" + n).build();
    }

    @Test
    void whenTheSendingJvmIsKilledThenEveryMessageItAcceptedArrivesAfterTheRestart() throws Exception {
        String deviceId = "buffer-kill";
        emulator.registerDevice(deviceId);
        int accepted;
        try (FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort())) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), BufferedSenderApplication.class.getName(),
                    "--iothub.connection-string=" + emulator.connectionString(deviceId),
                    "--iothub.port=" + relay.port(), "--iothub.ssl.bundle=emulator",
                    "--spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem(),
                    "--iothub.buffer.type=disk", "--iothub.buffer.directory=" + this.buffer)
                .redirectErrorStream(true)
                .start();
            try (BufferedReader output = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                accepted = readAccepted(output, 300);
                relay.pause();
                accepted = readAccepted(output, accepted + 1000);
                // SIGKILL: the child may accept a few more before it dies; those read so far must all arrive
                child.destroyForcibly();
                assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, deviceId,
                "iothub.buffer.type=disk", "iothub.buffer.directory=" + this.buffer)) {
            assertArrivedInOrder(deviceId, accepted + 1);
        }
    }

    @Test
    void whenABufferBiggerThanTheHeapFillsOfflineThenTheJvmKeepsRunningAndAfterARestartEverythingArrivesIntact()
            throws Exception {
        String deviceId = "buffer-heap";
        emulator.registerDevice(deviceId);
        int count = 640;
        int size = 64 * 1024;
        List<Integer> arrived = new CopyOnWriteArrayList<>();
        Set<Integer> damaged = ConcurrentHashMap.newKeySet();
        try (FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort());
                TelemetrySubscription subscription = emulator.subscribeTelemetry(deviceId, (message) -> {
                    int n = Integer.parseInt(message.properties().get("n"));
                    if (!Arrays.equals(message.body(), BufferedSenderApplication.payload(n, size))) {
                        damaged.add(n);
                    }
                    else if (!arrived.contains(n)) {
                        arrived.add(n);
                    }
                })) {
            relay.refuseConnections(true);
            // 40 MiB of telemetry into a JVM of 32 MiB heap, stored while the hub is unreachable
            Process offline = startSmallSender(deviceId, relay.port(), count, size);
            try (BufferedReader output = new BufferedReader(
                    new InputStreamReader(offline.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(readUntilDone(output)).isEqualTo(count - 1);
            }
            finally {
                offline.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // the restart indexes the 40 MiB and sends them in the same small heap
            Process restarted = startSmallSender(deviceId, emulator.mqttPort(), 0, 0);
            try {
                await().atMost(Duration.ofSeconds(30))
                    .until(() -> arrived.size() + damaged.size() >= count || !restarted.isAlive());
                assertThat(restarted.isAlive()).as("the restarted JVM is alive").isTrue();
            }
            finally {
                restarted.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(damaged).isEmpty();
        assertThat(arrived).isEqualTo(IntStream.range(0, count).boxed().toList());
    }

    private Process startSmallSender(String deviceId, int port, int count, int size)
            throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"),
                BufferedSenderApplication.class.getName(),
                "--iothub.connection-string=" + emulator.connectionString(deviceId), "--iothub.port=" + port,
                "--iothub.ssl.bundle=emulator",
                "--spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem(),
                "--iothub.connect-timeout=2s", "--iothub.buffer.type=disk",
                "--iothub.buffer.directory=" + this.buffer, "--iothub.buffer.max-size=256MB",
                "--sender.count=" + count, "--sender.payload-bytes=" + size)
            .redirectErrorStream(true)
            .start();
    }

    /** Reads the child's output until it says {@code done}; returns the last accepted number. */
    private static int readUntilDone(BufferedReader output) throws Exception {
        int accepted = -1;
        List<String> other = new ArrayList<>();
        String line;
        while ((line = output.readLine()) != null && !line.equals("done")) {
            if (line.startsWith("accepted ")) {
                accepted = Integer.parseInt(line.substring(9));
            }
            else {
                other.add(line);
            }
        }
        assertThat(line).as("the child's end of sending; it also said %s", other).isEqualTo("done");
        return accepted;
    }

    /** Reads the child's output until it accepted message {@code last}; returns the last accepted number. */
    private static int readAccepted(BufferedReader output, int last) throws Exception {
        int accepted = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (accepted < last && System.nanoTime() < deadline && (line = output.readLine()) != null) {
            if (line.startsWith("accepted ")) {
                accepted = Integer.parseInt(line.substring(9));
            }
        }
        assertThat(accepted).as("the child accepted message %d", last).isGreaterThanOrEqualTo(last);
        return accepted;
    }

    /** Messages 0 to count-1 arrived, each first seen in that order, each with a message id. */
    private static void assertArrivedInOrder(String deviceId, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> distinct(deviceId).size() >= count);
        List<ReceivedTelemetry> received = emulator.telemetry(deviceId);
        assertThat(received).allSatisfy((message) -> assertThat(message.systemProperties().get("message-id"))
            .isNotBlank());
        assertThat(List.copyOf(distinct(deviceId)).subList(0, count))
            .isEqualTo(java.util.stream.IntStream.range(0, count).boxed().toList());
    }

    private static Set<Integer> distinct(String deviceId) {
        Set<Integer> numbers = new LinkedHashSet<>();
        for (ReceivedTelemetry message : emulator.telemetry(deviceId)) {
            numbers.add(Integer.parseInt(message.properties().get("n")));
        }
        return numbers;
    }

}
