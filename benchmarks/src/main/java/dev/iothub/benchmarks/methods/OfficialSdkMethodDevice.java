package dev.iothub.benchmarks.methods;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.emulator.IotHubEmulator;
import org.jspecify.annotations.Nullable;

/**
 * The official Azure IoT device SDK 2.5.0 answering from its method callback, at its defaults or with shorter
 * send and receive loops.
 */
public final class OfficialSdkMethodDevice implements MethodDevice {

    private final @Nullable Integer loopIntervalMillis;

    private OfficialSdkMethodDevice(@Nullable Integer loopIntervalMillis) {
        this.loopIntervalMillis = loopIntervalMillis;
    }

    /** The SDK as it comes: its send and receive loops run every 10 ms. */
    public static OfficialSdkMethodDevice defaults() {
        return new OfficialSdkMethodDevice(null);
    }

    /** The SDK with {@code ClientOptions.sendInterval} and {@code receiveInterval} shortened. */
    public static OfficialSdkMethodDevice tuned(int loopIntervalMillis) {
        return new OfficialSdkMethodDevice(loopIntervalMillis);
    }

    @Override
    public String subject() {
        return (this.loopIntervalMillis == null) ? "official SDK 2.5.0 method callback, defaults"
                : "official SDK 2.5.0 method callback, send/receiveInterval " + this.loopIntervalMillis + " ms";
    }

    @Override
    public AutoCloseable open(IotHubEmulator hub, String deviceId, Deadline deadline) throws Exception {
        ClientOptions.ClientOptionsBuilder options = ClientOptions.builder().sslContext(hub.clientSslContext());
        if (this.loopIntervalMillis != null) {
            options.sendInterval(this.loopIntervalMillis).receiveInterval(this.loopIntervalMillis);
        }
        DeviceClient client = new DeviceClient(hub.connectionString(deviceId), IotHubClientProtocol.MQTT,
                options.build());
        try {
            client.open(false);
            client.subscribeToMethods((methodName, payload, context) -> new DirectMethodResponse(200,
                    payload.getPayloadAsJsonElement()), null, (int) Math.min(Integer.MAX_VALUE,
                            deadline.remainingMillis()));
        }
        catch (Exception ex) {
            client.close();
            throw ex;
        }
        return client::close;
    }
}
