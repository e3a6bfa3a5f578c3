package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client speaking the IoT Hub dialect by hand, to test the emulator with a client it did not write.
 */
final class PahoDevice implements AutoCloseable {

    private final IotHubEmulator hub;

    private final MqttClient client;

    private final String deviceId;

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    volatile Throwable connectionLost;

    PahoDevice(IotHubEmulator hub, String deviceId) throws MqttException {
        this(hub, deviceId, DeviceEndpoint.MQTT);
    }

    PahoDevice(IotHubEmulator hub, String deviceId, DeviceEndpoint endpoint) throws MqttException {
        this.hub = hub;
        this.deviceId = deviceId;
        this.client = new MqttClient(serverUri(hub, endpoint), deviceId, new MemoryPersistence());
        this.client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                PahoDevice.this.connectionLost = cause;
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                PahoDevice.this.received.add(new Received(topic, message));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** The URI the official SDKs use for the endpoint, on the emulator's port. */
    static String serverUri(IotHubEmulator hub, DeviceEndpoint endpoint) {
        return switch (endpoint) {
            case MQTT -> "ssl://localhost:" + hub.mqttPort();
            case MQTT_WEBSOCKET -> "wss://localhost:" + hub.webSocketPort()
                    + "/$iothub/websocket?iothub-no-client-cert=true";
        };
    }

    MqttConnectOptions options(String password, boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(this.hub.clientSslContext().getSocketFactory());
        options.setUserName(MqttUsername.format(this.hub.hubName(), this.deviceId, null, null));
        options.setPassword(password.toCharArray());
        options.setCleanSession(cleanSession);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(60);
        return options;
    }

    String token(Duration ttl) {
        return SasToken.create(this.hub.hubName(), this.deviceId, null, this.hub.device(this.deviceId).primaryKey(),
                Instant.now().plus(ttl)).text();
    }

    PahoDevice connect() throws MqttException {
        return connect(false);
    }

    PahoDevice connect(boolean cleanSession) throws MqttException {
        this.client.connect(options(token(Duration.ofHours(1)), cleanSession));
        return this;
    }

    void connectWith(MqttConnectOptions options) throws MqttException {
        this.client.connect(options);
    }

    int subscribe(String filter, int qos) throws MqttException {
        return this.client.subscribeWithResponse(filter, qos).getGrantedQos()[0];
    }

    void publish(String topic, String body, int qos, boolean retained) throws MqttException {
        this.client.publish(topic, body.getBytes(StandardCharsets.UTF_8), qos, retained);
    }

    Received next() throws InterruptedException {
        Received message = this.received.poll(10, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("No message within 10 s");
        }
        return message;
    }

    boolean isConnected() {
        return this.client.isConnected();
    }

    String deviceId() {
        return this.deviceId;
    }

    MqttClient client() {
        return this.client;
    }

    @Override
    public void close() throws MqttException {
        if (this.client.isConnected()) {
            this.client.disconnect(1000);
        }
        this.client.close(true);
    }

    record Received(String topic, MqttMessage message) {

        String body() {
            return new String(this.message.getPayload(), StandardCharsets.UTF_8);
        }
    }
}
