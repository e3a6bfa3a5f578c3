package dev.iothub.spring.connection;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.buffer.DiskBufferOptions.Sync;
import dev.iothub.spring.buffer.DiskBufferOptions.WhenFull;
import dev.iothub.spring.buffer.TelemetryLog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * The publish queue with a disk buffer against a mocked Paho client: what is stored stays out of memory beyond a
 * small bound and is read back byte for byte, oldest first; a record damaged on disk fails only its own message.
 */
class PublishQueueDiskBufferTests {

    private static final String TELEMETRY = "devices/d/messages/events/n=";

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final List<Publish> published = new CopyOnWriteArrayList<>();

    @TempDir
    Path directory;

    private TelemetryLog buffer;

    private PublishQueue queue;

    @BeforeEach
    void acknowledgeEveryPublish() throws MqttException {
        when(this.mqtt.publish(anyString(), any(byte[].class), anyInt(), anyBoolean(), any(),
                any(IMqttActionListener.class))).thenAnswer((invocation) -> {
                    IMqttDeliveryToken token = mock(IMqttDeliveryToken.class);
                    this.published.add(new Publish(invocation.getArgument(0), invocation.getArgument(1)));
                    ((IMqttActionListener) invocation.getArgument(5)).onSuccess(token);
                    return token;
                });
        this.buffer = TelemetryLog.open(new DiskBufferOptions(this.directory, 64L * 1024 * 1024, Sync.INTERVAL,
                Duration.ofMillis(200), WhenFull.BLOCK), "d");
        this.queue = new PublishQueue("d", () -> this.mqtt, Runnable::run, 10, 10, Duration.ZERO, this.buffer);
        this.queue.start();
    }

    @AfterEach
    void stop() {
        this.queue.stop();
        this.buffer.close();
    }

    @Test
    void whenManyMegabytesAreStoredOfflineThenLittleIsHeldInMemoryAndAllArriveByteIdenticalInOrder() {
        int count = 400;
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        long heldAtMost = 0;
        for (int n = 0; n < count; n++) {
            sent.add(this.queue.submit(TELEMETRY + n, payload(n), 1, false));
            heldAtMost = Math.max(heldAtMost, this.queue.retainedBytes());
        }
        assertThat(sent).noneMatch(CompletableFuture::isDone);
        assertThat(this.buffer.bytes()).isGreaterThan(count * 32L * 1024);
        assertThat(heldAtMost).as("bytes held in memory").isPositive().isLessThanOrEqualTo(1024 * 1024);
        this.queue.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().allMatch(CompletableFuture::isDone));
        assertThat(sent).noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(this.published).hasSize(count);
        for (int n = 0; n < count; n++) {
            assertThat(this.published.get(n).topic()).isEqualTo(TELEMETRY + n);
            assertThat(this.published.get(n).payload()).isEqualTo(payload(n));
        }
        assertThat(this.queue.retainedBytes()).isZero();
        assertThat(this.buffer.size()).isZero();
    }

    @ParameterizedTest
    @CsvSource({ "60, 49152", "3000, 1000" })
    void whenAStoredRecordIsDamagedBeforeItIsSentThenOnlyItsMessageFailsAndTheRestArrive(int count, int size)
            throws Exception {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            sent.add(this.queue.submit(TELEMETRY + n, payload(n, size), 1, false));
        }
        Path segment = segments().get(segments().size() - 1);
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            // the last byte of the segment is the last record's payload, held on disk only (and read ahead with the
            // ones before it when they are small)
            byte last = payload(count - 1, size)[size - 1];
            file.write(ByteBuffer.wrap(new byte[] { (byte) ~last }), Files.size(segment) - 1);
        }
        this.queue.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.stream().allMatch(CompletableFuture::isDone));
        assertThat(sent.subList(0, count - 1)).noneMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(sent.get(count - 1)).failsWithin(Duration.ZERO)
            .withThrowableThat()
            .havingCause()
            .isInstanceOf(IotHubException.class)
            .withMessageContaining("damaged part of the telemetry buffer")
            .withMessageContaining("checksum mismatch");
        assertThat(this.published).hasSize(count - 1);
        assertThat(this.buffer.damagedCount()).isOne();
        assertThat(this.buffer.size()).isZero();
    }

    /** About 48 KiB that differ for each message. */
    private static byte[] payload(int n) {
        return payload(n, 48 * 1024 + n);
    }

    private static byte[] payload(int n, int size) {
        byte[] payload = new byte[size];
        new Random(n).nextBytes(payload);
        return payload;
    }

    private List<Path> segments() throws Exception {
        try (Stream<Path> files = Files.list(this.directory)) {
            return files.filter((file) -> file.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    private record Publish(String topic, byte[] payload) {
    }

}
