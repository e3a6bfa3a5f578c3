package dev.iothub.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A device that stops reading what the hub writes is slowed down and then dropped, and never holds up other devices,
 * whichever endpoint it connected through.
 */
class SlowDeviceTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * How long the service may flood before the device must be gone: the loop ends as soon as it is, so this only
     * bounds a failure; generous because on a loaded machine filling the socket buffers takes many patches.
     */
    private static final Duration FLOOD_DEADLINE = Duration.ofSeconds(60);

    /** TwinSnapshot GETs the flooding device sends; unthrottled, their answers would queue 320 MB for it. */
    private static final int FLOOD_REQUESTS = 20_000;

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenADeviceFloodsTwinRequestsWithoutReadingThenOthersAreServedAndItIsDisconnected(DeviceEndpoint endpoint)
            throws Exception {
        try (IotHubEmulator hub = IotHubEmulator.builder().ioThreads(1).outputStallTimeout(Duration.ofSeconds(1))
            .servicePort(-1).device("flooder").device("bystander").start();
                DeviceSocket flooder = openDevice(hub, endpoint, "flooder", Topics.TWIN_RESPONSES_FILTER)) {
            hub.patchDesired("flooder", sixteenKilobytes(0));
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> sendTwinRequests(flooder));
            try (PahoDevice bystander = new PahoDevice(hub, "bystander", endpoint).connect()) {
                bystander.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                bystander.publish(Topics.twinGet("b1"), "", 1, false);
                assertThat(bystander.next().topic()).isEqualTo("$iothub/twin/res/200/?$rid=b1");
            }
            await().atMost(WAIT).until(() -> !hub.isConnected("flooder"));
            flooder.close();
            flood.join();
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenTheServiceFloodsADeviceThatDoesNotReadThenItIsDisconnectedOnceItsQueueIsFull(DeviceEndpoint endpoint)
            throws Exception {
        try (IotHubEmulator hub = IotHubEmulator.builder().servicePort(-1).device("sleeper").start();
                DeviceSocket sleeper = openDevice(hub, endpoint, "sleeper", Topics.DESIRED_PROPERTIES_FILTER)) {
            Instant deadline = Instant.now().plus(FLOOD_DEADLINE);
            for (int patch = 1; hub.isConnected("sleeper") && Instant.now().isBefore(deadline); patch++) {
                hub.patchDesired("sleeper", sixteenKilobytes(patch));
            }
            assertThat(hub.isConnected("sleeper")).as("connected after " + FLOOD_DEADLINE + " of desired patches")
                .isFalse();
        }
    }

    /** A desired patch of four 4 KB properties (IoT Hub's limit for one property). */
    private static Map<String, Object> sixteenKilobytes(int version) {
        Map<String, Object> patch = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            patch.put("p" + i, version + "x".repeat(4000));
        }
        return patch;
    }

    /**
     * Connects a device, subscribes it to one filter, waits until the hub has it, and never reads a byte. Its small
     * receive buffer keeps the kernel from absorbing megabytes before the hub's own queue fills.
     */
    private static DeviceSocket openDevice(IotHubEmulator hub, DeviceEndpoint endpoint, String deviceId, String filter)
            throws IOException {
        DeviceSocket socket = DeviceSocket.open(hub, endpoint, 16 * 1024);
        String token = SasToken.create(hub.hubName(), deviceId, null, hub.device(deviceId).primaryKey(),
                Instant.now().plusSeconds(300)).text();
        OutputStream out = socket.out();
        out.write(MqttPackets.connect(deviceId, MqttUsername.format(hub.hubName(), deviceId, null, null), 60, token));
        out.write(MqttPackets.subscribe(1, filter, 0));
        out.flush();
        await().atMost(WAIT).until(() -> hub.isConnected(deviceId));
        return socket;
    }

    /** Sends the flood of twin GETs in batches, stopping early when the connection fails. */
    private static void sendTwinRequests(DeviceSocket socket) {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            batch.writeBytes(MqttPackets.publish(Topics.twinGet(Integer.toString(i)), new byte[0]));
        }
        byte[] packets = batch.toByteArray();
        try {
            OutputStream out = socket.out();
            for (int sent = 0; sent < FLOOD_REQUESTS; sent += 1000) {
                out.write(packets);
            }
        }
        catch (IOException closed) {
            // the hub closed the connection (or the test did, once the hub had dropped it)
        }
    }
}
