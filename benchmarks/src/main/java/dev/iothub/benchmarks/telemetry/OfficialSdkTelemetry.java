package dev.iothub.benchmarks.telemetry;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import dev.iothub.benchmarks.Deadline;
import org.jspecify.annotations.Nullable;

/**
 * (d) The official Azure IoT device SDK 2.5.0, {@code sendEventAsync} over MQTT, at its defaults or with a tuned
 * send loop.
 */
public final class OfficialSdkTelemetry implements TelemetryScenario {

    private final @Nullable Integer sendIntervalMillis;

    private final @Nullable Integer messagesPerSendInterval;

    private OfficialSdkTelemetry(@Nullable Integer sendIntervalMillis, @Nullable Integer messagesPerSendInterval) {
        this.sendIntervalMillis = sendIntervalMillis;
        this.messagesPerSendInterval = messagesPerSendInterval;
    }

    /** The SDK as it comes: it sends at most 10 messages every 10 ms. */
    public static OfficialSdkTelemetry defaults() {
        return new OfficialSdkTelemetry(null, null);
    }

    /** The SDK with {@code ClientOptions.sendInterval} and {@code messagesSentPerSendInterval} set. */
    public static OfficialSdkTelemetry tuned(int sendIntervalMillis, int messagesPerSendInterval) {
        return new OfficialSdkTelemetry(sendIntervalMillis, messagesPerSendInterval);
    }

    @Override
    public String subject() {
        return (this.sendIntervalMillis == null) ? "(d) official SDK 2.5.0 sendEventAsync, defaults"
                : "(d) official SDK 2.5.0 sendEventAsync, sendInterval " + this.sendIntervalMillis + " ms x "
                        + this.messagesPerSendInterval;
    }

    @Override
    public boolean isThrottledByDesign() {
        return this.sendIntervalMillis == null;
    }

    @Override
    public TelemetryRun run(TelemetryTarget target, int messages, Deadline deadline) throws Exception {
        ClientOptions.ClientOptionsBuilder options = ClientOptions.builder().sslContext(target.hub().clientSslContext());
        if (this.sendIntervalMillis != null) {
            options.sendInterval(this.sendIntervalMillis).messagesSentPerSendInterval(this.messagesPerSendInterval);
        }
        DeviceClient client = new DeviceClient(target.hub().connectionString(target.deviceId()),
                IotHubClientProtocol.MQTT, options.build());
        CountDownLatch acknowledged = new CountDownLatch(messages);
        AtomicInteger failures = new AtomicInteger();
        try {
            client.open(false);
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                client.sendEventAsync(new Message(target.payload()), (sent, exception, context) -> {
                    if (exception != null) {
                        failures.incrementAndGet();
                    }
                    acknowledged.countDown();
                }, null);
            }
            if (!acknowledged.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                throw deadline.expired(acknowledged.getCount() + " messages unacknowledged");
            }
            long elapsed = System.nanoTime() - start;
            return new TelemetryRun(messages - failures.get(), elapsed, "failed callbacks: " + failures.get());
        }
        finally {
            client.close();
        }
    }
}
