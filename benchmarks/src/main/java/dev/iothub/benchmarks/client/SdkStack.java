package dev.iothub.benchmarks.client;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import dev.iothub.benchmarks.Deadline;

/**
 * The official Azure IoT device SDK 2.5.0 over MQTT, {@code sendEventAsync} for every message, then waiting for all
 * callbacks. At its defaults it sends at most 10 messages every 10 ms; tuned, {@code sendInterval} is 1 ms and
 * {@code messagesSentPerSendInterval} the window (and the method device's {@code receiveInterval} 1 ms). It connects
 * only to port 8883 of the hub name.
 */
final class SdkStack implements ClientStack {

    private final boolean tuned;

    SdkStack(boolean tuned) {
        this.tuned = tuned;
    }

    @Override
    public ClientSession open(Target target, int window, int connections, byte[] payload) throws Exception {
        if (connections != 1 || target.port() != 8883 || !target.host().equals(target.hubName())) {
            throw new IllegalArgumentException("the official SDK connects one device to port 8883 of the hub name");
        }
        ClientOptions.ClientOptionsBuilder options = ClientOptions.builder().sslContext(target.sslContext());
        if (this.tuned) {
            options.sendInterval(1).messagesSentPerSendInterval(window);
        }
        DeviceClient client = new DeviceClient(target.connectionString(target.deviceId(0)), IotHubClientProtocol.MQTT,
                options.build());
        client.open(false);
        return new ClientSession() {
            @Override
            public void send(int messages, Deadline deadline) throws Exception {
                CountDownLatch acknowledged = new CountDownLatch(messages);
                AtomicInteger failures = new AtomicInteger();
                for (int i = 0; i < messages; i++) {
                    client.sendEventAsync(new Message(payload), (sent, exception, context) -> {
                        if (exception != null) {
                            failures.incrementAndGet();
                        }
                        acknowledged.countDown();
                    }, null);
                }
                if (!acknowledged.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                    throw deadline.expired(acknowledged.getCount() + " messages unacknowledged");
                }
                if (failures.get() > 0) {
                    throw new IllegalStateException(failures.get() + " of " + messages + " messages failed");
                }
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    @Override
    public AutoCloseable methodDevice(Target target, String deviceId) throws Exception {
        ClientOptions.ClientOptionsBuilder options = ClientOptions.builder().sslContext(target.sslContext());
        if (this.tuned) {
            options.sendInterval(1).receiveInterval(1);
        }
        DeviceClient client = new DeviceClient(target.connectionString(deviceId), IotHubClientProtocol.MQTT,
                options.build());
        try {
            client.open(false);
            client.subscribeToMethods((methodName, payload, context) -> new DirectMethodResponse(200,
                    payload.getPayloadAsJsonElement()), null, 10_000);
        }
        catch (Exception ex) {
            client.close();
            throw ex;
        }
        return client::close;
    }
}
