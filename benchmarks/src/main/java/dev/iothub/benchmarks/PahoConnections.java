package dev.iothub.benchmarks;

import java.time.Duration;
import java.time.Instant;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Raw Paho v3 clients speaking the IoT Hub dialect by hand, the baseline the other stacks are compared with.
 */
public final class PahoConnections {

    private PahoConnections() {
    }

    /** An unconnected client for a registered device, with in-memory persistence (file persistence is ~15x slower). */
    public static MqttAsyncClient newClient(IotHubEmulator hub, String deviceId) throws MqttException {
        return new MqttAsyncClient("ssl://" + hub.hubName() + ":" + hub.mqttPort(), deviceId, new MemoryPersistence());
    }

    /** Connects with a one-hour SAS token and a clean session, waiting at most until the deadline. */
    public static void connect(MqttAsyncClient client, IotHubEmulator hub, String deviceId, int maxInflight,
            Deadline deadline) throws MqttException {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(hub.clientSslContext().getSocketFactory());
        options.setUserName(MqttUsername.format(hub.hubName(), deviceId, null, null));
        options.setPassword(SasToken.create(hub.hubName(), deviceId, null, hub.device(deviceId).primaryKey(),
                Instant.now().plus(Duration.ofHours(1))).text().toCharArray());
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(60);
        options.setMaxInflight(maxInflight);
        client.connect(options).waitForCompletion(deadline.remainingMillis());
    }

    /** Disconnects (bounded) and releases the client's threads. */
    public static void close(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        }
        catch (MqttException ex) {
            System.out.println("  Paho disconnect failed: " + ex);
        }
        try {
            client.close(true);
        }
        catch (MqttException ex) {
            System.out.println("  Paho close failed: " + ex);
        }
    }
}
