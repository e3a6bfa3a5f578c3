package dev.iothub.benchmarks.client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.TrustManagerFactory;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.EmulatorTrust;

/**
 * The HiveMQ MQTT client 1.4.0, MQTT 3.1.1 async API, one immutable {@code Mqtt3Publish} sent again and again, gated
 * by a semaphore of window permits (one per message) released when its future completes.
 */
final class HiveMqStack implements ClientStack {

    private static final long CONNECT_TIMEOUT_SECONDS = 10;

    @Override
    public ClientSession open(Target target, int window, int connections, byte[] payload) throws Exception {
        TrustManagerFactory trust = EmulatorTrust.trustManagers(Path.of(target.caPem()));
        MqttClientSslConfig tls = MqttClientSslConfig.builder().trustManagerFactory(trust).build();
        List<Connection> opened = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                opened.add(connect(target, target.deviceId(i), tls, window, payload));
            }
        }
        catch (Exception ex) {
            for (Connection connection : opened) {
                connection.client().disconnect();
            }
            throw ex;
        }
        return new PublishingSession<Connection>(opened) {
            @Override
            void publish(Connection connection, int tag, Acknowledgement ack, Deadline deadline) throws Exception {
                Semaphore permits = connection.window();
                if (!permits.tryAcquire(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                    throw deadline.expired("no in-flight slot");
                }
                connection.client().publish(connection.message()).whenComplete((published, failure) -> {
                    permits.release();
                    ack.acknowledged(tag, failure);
                });
            }

            @Override
            void disconnect(Connection connection) throws Exception {
                connection.client().disconnect().get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        };
    }

    private static Connection connect(Target target, String deviceId, MqttClientSslConfig tls, int window,
            byte[] payload) throws Exception {
        Mqtt3AsyncClient client = Mqtt3Client.builder()
            .identifier(deviceId)
            .serverHost(target.host())
            .serverPort(target.port())
            .sslConfig(tls)
            .buildAsync();
        client.connectWith()
            .cleanSession(true)
            .keepAlive(60)
            .simpleAuth()
            .username(target.userName(deviceId))
            .password(target.password(deviceId).getBytes(StandardCharsets.UTF_8))
            .applySimpleAuth()
            .send()
            .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Mqtt3Publish message = Mqtt3Publish.builder()
            .topic(target.telemetryTopic(deviceId))
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(payload)
            .build();
        return new Connection(client, new Semaphore(window), message);
    }

    private record Connection(Mqtt3AsyncClient client, Semaphore window, Mqtt3Publish message) {
    }
}
