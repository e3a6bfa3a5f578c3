package dev.iothub.benchmarks.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.PublishingSession.Acknowledgement;
import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.Topics;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;

/**
 * Raw Paho 1.2.5 {@code MqttAsyncClient} with {@code MemoryPersistence} and {@code maxInflight} = the window, sends
 * gated by a semaphore of window permits that {@code deliveryComplete} releases. Like-for-like takes one permit per
 * message, as the starter does; "fast" takes a tenth of the window at a time, so the sender is woken ten times per
 * window rather than once per PUBACK.
 */
final class PahoStack implements ClientStack {

    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final boolean chunked;

    PahoStack(boolean chunked) {
        this.chunked = chunked;
    }

    @Override
    public ClientSession open(Target target, int window, int connections, byte[] payload) throws Exception {
        SSLContext tls = target.sslContext();
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                opened.add(new Connection(target, target.deviceId(i), tls, window,
                        this.chunked ? Math.max(1, window / 10) : 1, payload));
            }
        }
        catch (Exception ex) {
            for (Connection connection : opened) {
                connection.close();
            }
            throw ex;
        }
        return new PublishingSession<Connection>(opened) {
            @Override
            void publish(Connection connection, int tag, Acknowledgement ack, Deadline deadline) throws Exception {
                connection.publish(tag, ack, deadline);
            }

            @Override
            void disconnect(Connection connection) {
                connection.close();
            }
        };
    }

    @Override
    public AutoCloseable methodDevice(Target target, String deviceId) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("ssl://" + target.host() + ":" + target.port(), deviceId,
                new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                System.err.println("Paho method device lost its connection: " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws MqttException {
                if (HubTopic.parse(topic).orElse(null) instanceof HubTopic.MethodRequest request) {
                    client.publish(Topics.methodResponse(200, request.requestId()), message.getPayload(), 0, false);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        try {
            client.connect(options(target, deviceId, target.sslContext(), 10)).waitForCompletion(
                    TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT_SECONDS));
            client.subscribe(Topics.METHODS_FILTER, 0).waitForCompletion(TimeUnit.SECONDS.toMillis(10));
        }
        catch (MqttException ex) {
            close(client);
            throw ex;
        }
        return () -> close(client);
    }

    static MqttConnectOptions options(Target target, String deviceId, SSLContext tls, int maxInflight) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(tls.getSocketFactory());
        options.setUserName(target.userName(deviceId));
        options.setPassword(target.password(deviceId).toCharArray());
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        options.setKeepAliveInterval(60);
        options.setMaxInflight(maxInflight);
        return options;
    }

    static void close(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        }
        catch (MqttException ex) {
            System.err.println("Paho disconnect failed: " + ex);
        }
        try {
            client.close(true);
        }
        catch (MqttException ex) {
            System.err.println("Paho close failed: " + ex);
        }
    }

    /** One device connection with its window. */
    private static final class Connection implements MqttCallback {

        private final MqttAsyncClient client;

        private final Semaphore window;

        private final int permitsPerAcquire;

        private final String topic;

        private final byte[] payload;

        private volatile @Nullable Acknowledgement acknowledgement;

        // Permits taken but not yet used; read and written by the one sending thread only.
        private int credit;

        Connection(Target target, String deviceId, SSLContext tls, int window, int permitsPerAcquire, byte[] payload)
                throws MqttException {
            this.window = new Semaphore(window);
            this.permitsPerAcquire = permitsPerAcquire;
            this.topic = target.telemetryTopic(deviceId);
            this.payload = payload;
            this.client = new MqttAsyncClient("ssl://" + target.host() + ":" + target.port(), deviceId,
                    new MemoryPersistence());
            this.client.setCallback(this);
            try {
                this.client.connect(options(target, deviceId, tls, window))
                    .waitForCompletion(TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT_SECONDS));
            }
            catch (MqttException ex) {
                PahoStack.close(this.client);
                throw ex;
            }
        }

        void publish(int tag, Acknowledgement ack, Deadline deadline) throws Exception {
            this.acknowledgement = ack;
            if (this.credit == 0) {
                if (!this.window.tryAcquire(this.permitsPerAcquire, deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                    throw deadline.expired("no in-flight slot");
                }
                this.credit = this.permitsPerAcquire;
            }
            this.credit--;
            MqttMessage message = new MqttMessage(this.payload);
            message.setQos(1);
            // Paho frees its own in-flight slot only after deliveryComplete returns (eclipse-paho/paho.mqtt.java#551),
            // so a send the semaphore allowed can still meet 32202; it is retried until the slot is free.
            while (true) {
                try {
                    this.client.publish(this.topic, message, (tag < 0) ? null : Integer.valueOf(tag), null);
                    return;
                }
                catch (MqttException ex) {
                    if (ex.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                        throw ex;
                    }
                    deadline.check();
                    Thread.yield();
                }
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            this.window.release();
            Acknowledgement ack = this.acknowledgement;
            if (ack != null) {
                Object context = token.getUserContext();
                ack.acknowledged((context instanceof Integer tag) ? tag : -1, null);
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            System.err.println("Paho connection lost: " + cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
        }

        void close() {
            PahoStack.close(this.client);
        }
    }
}
