package dev.iothub.benchmarks.telemetry;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.PahoConnections;
import dev.iothub.protocol.Topics;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * (c) The ceiling of a Paho-based stack: a raw {@link MqttAsyncClient} with {@code MemoryPersistence} and a wide
 * in-flight window, sends gated by a semaphore that the delivery callback releases. The sender takes slots a tenth
 * of the window at a time: waking it for every acknowledgement costs a thread hand-off per message, which on two
 * busy cores cost a third to a half of the throughput.
 */
public final class RawPahoTelemetry implements TelemetryScenario {

    private final int maxInflight;

    public RawPahoTelemetry(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    @Override
    public String subject() {
        return "(c) raw Paho MqttAsyncClient, maxInflight " + this.maxInflight;
    }

    @Override
    public TelemetryRun run(TelemetryTarget target, int messages, Deadline deadline) throws Exception {
        Semaphore window = new Semaphore(this.maxInflight);
        CountDownLatch acknowledged = new CountDownLatch(messages);
        MqttAsyncClient client = PahoConnections.newClient(target.hub(), target.deviceId());
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                System.out.println("  Paho connection lost: " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                window.release();
                acknowledged.countDown();
            }
        });
        try {
            PahoConnections.connect(client, target.hub(), target.deviceId(), this.maxInflight, deadline);
            String topic = Topics.telemetry(target.deviceId(), null, Map.of());
            long retries = 0;
            long start = System.nanoTime();
            int chunk = Math.max(1, this.maxInflight / 10);
            for (int sent = 0; sent < messages; sent += chunk) {
                int count = Math.min(chunk, messages - sent);
                if (!window.tryAcquire(count, deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                    throw deadline.expired("no in-flight slots after " + sent + " messages");
                }
                for (int i = 0; i < count; i++) {
                    retries += publish(client, topic, target.payload(), deadline);
                }
            }
            if (!acknowledged.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                throw deadline.expired(acknowledged.getCount() + " messages unacknowledged");
            }
            long elapsed = System.nanoTime() - start;
            return new TelemetryRun(messages, elapsed, "MemoryPersistence; 32202 retries: " + retries);
        }
        finally {
            PahoConnections.close(client);
        }
    }

    // Paho frees an in-flight slot after the delivery callback (eclipse-paho/paho.mqtt.java#551), so a send the
    // semaphore allowed can still meet 32202; it is retried until the slot is free.
    private static long publish(MqttAsyncClient client, String topic, byte[] payload, Deadline deadline)
            throws Exception {
        long retries = 0;
        while (true) {
            try {
                client.publish(topic, payload, 1, false);
                return retries;
            }
            catch (MqttException ex) {
                if (ex.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                    throw ex;
                }
                retries++;
                deadline.check();
                Thread.onSpinWait();
            }
        }
    }
}
