package dev.iothub.spring.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

/**
 * Orders outbound publishes through one named thread. A message is held until the hub acknowledges it: it waits
 * while the connection is down or renewing its token, is sent again if the connection drops before its PUBACK, and
 * never meets Paho's "too many publishes in progress" (32202) error because the in-flight window is gated here.
 */
final class PublishQueue {

    private static final Log logger = LogFactory.getLog(PublishQueue.class);

    private final String clientId;

    private final Supplier<@Nullable IMqttAsyncClient> client;

    private final Executor completions;

    private final int maxPending;

    private final Duration sendTimeout;

    private final Semaphore pending;

    private final Semaphore inFlight;

    private final LinkedBlockingDeque<Outbound> queue = new LinkedBlockingDeque<>();

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition changed = this.lock.newCondition();

    private volatile boolean open;

    private volatile boolean accepting;

    private volatile boolean running;

    private @Nullable Thread thread;

    PublishQueue(String clientId, Supplier<@Nullable IMqttAsyncClient> client, Executor completions, int maxInFlight,
            int maxPending, Duration sendTimeout) {
        this.clientId = clientId;
        this.client = client;
        this.completions = completions;
        this.maxPending = maxPending;
        this.sendTimeout = sendTimeout;
        this.pending = new Semaphore(maxPending);
        this.inFlight = new Semaphore(maxInFlight);
    }

    void start() {
        this.running = true;
        this.accepting = true;
        Thread sender = new Thread(this::run, "iothub-publisher-" + this.clientId);
        sender.setDaemon(true);
        this.thread = sender;
        sender.start();
    }

    CompletableFuture<Void> submit(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        if (!this.accepting) {
            future.completeExceptionally(new IotHubException("The IoT Hub connection is not running"));
            return future;
        }
        if (!acquirePending()) {
            future.completeExceptionally(new IotHubBackPressureException(this.maxPending
                    + " messages are still waiting for the hub's acknowledgement (iothub.publish.max-pending); "
                    + "slow down or raise the limit"));
            return future;
        }
        this.queue.add(new Outbound(topic, payload, qos, future));
        signal();
        return future;
    }

    private boolean acquirePending() {
        if (Thread.currentThread().getName().startsWith("MQTT ")) {
            return this.pending.tryAcquire();
        }
        try {
            return this.pending.tryAcquire(this.sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The connection is up: messages may flow. */
    void open() {
        this.open = true;
        signal();
    }

    /** The connection is down or renewing: messages wait. */
    void pause() {
        this.open = false;
    }

    /** Stops accepting messages and waits, up to the timeout, until those accepted are acknowledged. */
    boolean drain(Duration timeout) {
        this.accepting = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        this.lock.lock();
        try {
            while (this.pending.availablePermits() < this.maxPending && this.open) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                this.changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return this.pending.availablePermits() == this.maxPending;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Stops the sender thread and fails every message not yet acknowledged. */
    void stop() {
        this.accepting = false;
        this.running = false;
        this.open = false;
        Thread sender = this.thread;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(5000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        List<Outbound> left = new ArrayList<>();
        this.queue.drainTo(left);
        for (Outbound outbound : left) {
            fail(outbound, new IotHubException("The IoT Hub connection stopped before the message was sent"));
        }
    }

    int size() {
        return this.maxPending - this.pending.availablePermits();
    }

    private void run() {
        while (this.running) {
            Outbound outbound;
            try {
                outbound = this.queue.pollFirst(100, TimeUnit.MILLISECONDS);
                if (outbound == null) {
                    continue;
                }
                if (!awaitOpen()) {
                    this.queue.addFirst(outbound);
                    continue;
                }
                this.inFlight.acquire();
            }
            catch (InterruptedException ex) {
                if (!this.running) {
                    return;
                }
                continue;
            }
            send(outbound);
        }
    }

    private boolean awaitOpen() throws InterruptedException {
        this.lock.lock();
        try {
            while (!this.open && this.running) {
                this.changed.await(100, TimeUnit.MILLISECONDS);
            }
            return this.open;
        }
        finally {
            this.lock.unlock();
        }
    }

    private void send(Outbound outbound) {
        IMqttAsyncClient mqtt = this.client.get();
        if (mqtt == null) {
            this.inFlight.release();
            retryLater(outbound);
            pauseBriefly();
            return;
        }
        try {
            mqtt.publish(outbound.topic, outbound.payload, outbound.qos, false, null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    PublishQueue.this.inFlight.release();
                    complete(outbound);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    PublishQueue.this.inFlight.release();
                    failed(outbound, exception);
                }

            });
        }
        catch (MqttException ex) {
            this.inFlight.release();
            failed(outbound, ex);
            if (isTransient(ex)) {
                pauseBriefly();
            }
        }
        catch (RuntimeException ex) {
            this.inFlight.release();
            fail(outbound, new IotHubException("Could not publish to " + outbound.topic, ex));
        }
    }

    private void failed(Outbound outbound, Throwable exception) {
        if (this.running && isTransient(exception)) {
            retryLater(outbound);
            return;
        }
        fail(outbound, new IotHubException("Could not publish to " + outbound.topic, exception));
    }

    private void retryLater(Outbound outbound) {
        this.queue.addFirst(outbound);
        if (outbound.retries++ == 0) {
            logger.debug("Publish to " + outbound.topic + " will be retried when the connection allows it");
        }
    }

    private void pauseBriefly() {
        this.lock.lock();
        try {
            this.changed.await(10, TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            this.lock.unlock();
        }
    }

    private static boolean isTransient(Throwable exception) {
        if (!(exception instanceof MqttException mqtt)) {
            return false;
        }
        return switch (mqtt.getReasonCode()) {
            case MqttException.REASON_CODE_CLIENT_NOT_CONNECTED, MqttException.REASON_CODE_CONNECTION_LOST,
                    MqttException.REASON_CODE_CLIENT_DISCONNECTING, MqttException.REASON_CODE_MAX_INFLIGHT,
                    MqttException.REASON_CODE_CONNECT_IN_PROGRESS, MqttException.REASON_CODE_CLIENT_TIMEOUT,
                    MqttException.REASON_CODE_CLIENT_CLOSED, MqttException.REASON_CODE_WRITE_TIMEOUT -> true;
            default -> false;
        };
    }

    private void complete(Outbound outbound) {
        this.pending.release();
        signal();
        try {
            this.completions.execute(() -> outbound.future.complete(null));
        }
        catch (RuntimeException rejected) {
            outbound.future.complete(null);
        }
    }

    private void fail(Outbound outbound, Throwable exception) {
        this.pending.release();
        signal();
        try {
            this.completions.execute(() -> outbound.future.completeExceptionally(exception));
        }
        catch (RuntimeException rejected) {
            outbound.future.completeExceptionally(exception);
        }
    }

    private void signal() {
        this.lock.lock();
        try {
            this.changed.signalAll();
        }
        finally {
            this.lock.unlock();
        }
    }

    private static final class Outbound {

        final String topic;

        final byte[] payload;

        final int qos;

        final CompletableFuture<Void> future;

        int retries;

        Outbound(String topic, byte[] payload, int qos, CompletableFuture<Void> future) {
            this.topic = topic;
            this.payload = payload;
            this.qos = qos;
            this.future = future;
        }

    }

}
