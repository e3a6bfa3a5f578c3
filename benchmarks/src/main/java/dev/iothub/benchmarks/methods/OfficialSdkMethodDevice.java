package dev.iothub.benchmarks.methods;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.emulator.IotHubEmulator;

/**
 * The official Azure IoT device SDK 2.5.0 answering from its method callback, at its defaults.
 */
public final class OfficialSdkMethodDevice implements MethodDevice {

    @Override
    public String subject() {
        return "official SDK 2.5.0 method callback, defaults";
    }

    @Override
    public AutoCloseable open(IotHubEmulator hub, String deviceId, Deadline deadline) throws Exception {
        DeviceClient client = new DeviceClient(hub.connectionString(deviceId), IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(hub.clientSslContext()).build());
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
