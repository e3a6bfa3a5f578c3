package dev.iothub.spring.connection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

import dev.iothub.spring.buffer.BufferedMessage;
import dev.iothub.spring.buffer.TelemetryBufferDamagedException;
import dev.iothub.spring.buffer.TelemetryBufferFullException;
import dev.iothub.spring.buffer.TelemetryLog;
import dev.iothub.spring.buffer.TelemetryLog.StoredMessage;

/**
 * The one owner of "may this message go on the wire now": holds every outbound publish until the hub acknowledges
 * it, sends through one named thread, and gates Paho's in-flight window so that Paho's "too many publishes in
 * progress" (32202) error never happens.
 * <p>
 * Two lanes: control traffic (every topic under {@code $iothub/}: twin requests and direct-method answers) goes
 * first and is never refused or held back by telemetry back-pressure; telemetry is bounded by
 * {@code maxPending} accepted-but-unacknowledged messages. Both wait while the connection is down or renewing.
 * <p>
 * Who re-sends after a drop: this queue, never Paho. When a delivery fails because the connection went away, its
 * message is removed from Paho's session ({@link IMqttAsyncClient#removeMessage}) before Paho could re-send it
 * after the next CONNACK, and goes back to the head of its lane. Each accepted message completes its future, and
 * gives back its telemetry permit, exactly once, whatever callbacks Paho delivers; delivery stays at-least-once,
 * since a PUBACK lost in a drop means the hub may hold the message twice.
 * <p>
 * It is longer than most classes here because its one job has that many cases: each way Paho can report on a
 * publish (success, a failure after a drop, a synchronous refusal, a second report for the same message) has to
 * keep the lanes, the in-flight slots and the permits consistent under one lock; split apart, they would share that
 * lock and its invariants across classes.
 * <p>
 * With a disk buffer ({@link TelemetryLog}), telemetry is stored before it is accepted and bounded by the buffer's
 * size instead of {@code maxPending}; a message leaves the buffer when the hub acknowledged it or refused it for
 * good, and what the buffer held at start is sent first, oldest first. Only the next {@value #RETAINED_BYTES}
 * bytes of stored telemetry are kept in memory; the rest is read back from the buffer by the sending thread right
 * before it goes to Paho, so the payloads held in memory do not grow with the buffer. A message whose record is
 * found damaged then fails and is skipped.
 */
final class PublishQueue {

    private static final Log logger = LogFactory.getLog(PublishQueue.class);

    /** Control messages in flight at once; Paho's window is sized for telemetry's plus these. */
    static final int CONTROL_IN_FLIGHT = 10;

    /** Record bytes of stored telemetry whose topic and payload stay in memory for the next sends. */
    static final int RETAINED_BYTES = 1024 * 1024;

    /** Record bytes read back from the disk buffer at once for the next sends. */
    private static final int READ_AHEAD_BYTES = 64 * 1024;

    private static final String CONTROL_TOPIC_PREFIX = "$iothub/";

    private final String clientId;

    private final Supplier<@Nullable IMqttAsyncClient> client;

    private final Executor completions;

    private final int maxInFlight;

    private final int maxPending;

    private final Duration sendTimeout;

    /** Telemetry slots that must be free before an acknowledgement wakes the sending thread. */
    private final int senderBatch;

    /** Permits that must be free before a finished message wakes waiting telemetry senders. */
    private final int permitBatch;

    private final @Nullable TelemetryLog buffer;

    private final ReentrantLock lock = new ReentrantLock();

    /** The sending thread waits here for a message it may send. */
    private final Condition sendable = this.lock.newCondition();

    /** Telemetry senders wait here for a permit. */
    private final Condition permits = this.lock.newCondition();

    /** {@link #drain} waits here until nothing is outstanding or the connection is down. */
    private final Condition settled = this.lock.newCondition();

    private final Deque<Outbound> control = new ArrayDeque<>();

    private final Deque<Outbound> telemetry = new ArrayDeque<>();

    private final Outstanding outstanding = new Outstanding();

    /** Finished messages whose futures the completion executor has yet to complete, oldest first. */
    private final Queue<Outbound> finished = new ConcurrentLinkedQueue<>();

    /** A task completing {@link #finished} is queued on the completion executor or running there. */
    private final AtomicBoolean completing = new AtomicBoolean();

    /** Threads waiting in {@link #submit} for a telemetry permit; they complete what finishes meanwhile. */
    private int permitWaiters;

    private int telemetryOutstanding;

    private int telemetryInFlight;

    private int controlInFlight;

    private long retainedBytes;

    private long openGeneration;

    private boolean open;

    private boolean pahoWindowFull;

    /** The sending thread has taken a message and not yet handed it to Paho. */
    private boolean senderBusy;

    private boolean accepting;

    private boolean running;

    private @Nullable Thread thread;

    PublishQueue(String clientId, Supplier<@Nullable IMqttAsyncClient> client, Executor completions, int maxInFlight,
            int maxPending, Duration sendTimeout) {
        this(clientId, client, completions, maxInFlight, maxPending, sendTimeout, null);
    }

    PublishQueue(String clientId, Supplier<@Nullable IMqttAsyncClient> client, Executor completions, int maxInFlight,
            int maxPending, Duration sendTimeout, @Nullable TelemetryLog buffer) {
        this.clientId = clientId;
        this.buffer = buffer;
        this.client = client;
        this.completions = completions;
        this.maxInFlight = maxInFlight;
        this.maxPending = maxPending;
        this.sendTimeout = sendTimeout;
        this.senderBatch = Math.max(1, maxInFlight / 16);
        this.permitBatch = Math.max(1, maxPending / 16);
    }

    void start() {
        this.lock.lock();
        try {
            this.running = true;
            this.accepting = true;
            if (this.buffer != null) {
                for (StoredMessage stored : this.buffer.takeRecovered()) {
                    Outbound outbound = new Outbound(null, null, 1, false, stored);
                    this.telemetryOutstanding++;
                    this.outstanding.add(outbound);
                    this.telemetry.addLast(outbound);
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        Thread sender = new Thread(this::run, "iothub-publisher-" + this.clientId);
        sender.setDaemon(true);
        this.thread = sender;
        sender.start();
    }

    /**
     * Accepts a message. Telemetry waits up to the send timeout for a permit when {@code mayWait}, else fails at
     * once when {@code maxPending} messages are outstanding; control traffic is always accepted.
     * <p>
     * When nothing waits in its lane, a slot is free and the sending thread is not between taking a message and
     * handing it to Paho, the message goes to Paho on the caller's thread (Paho's publish does not block): a direct
     * method's answer or a lone telemetry message saves the hop to the sending thread, and order is kept, since
     * anything submitted later finds this one already handed over.
     */
    CompletableFuture<Void> submit(String topic, byte[] payload, int qos, boolean mayWait) {
        boolean control = topic.startsWith(CONTROL_TOPIC_PREFIX);
        TelemetryLog buffer = this.buffer;
        if (buffer != null && !control) {
            return submitStored(buffer, topic, payload, qos, mayWait);
        }
        Outbound outbound = new Outbound(topic, payload, qos, control, null);
        Attempt direct;
        this.lock.lock();
        try {
            if (!this.accepting) {
                return CompletableFuture.failedFuture(new IotHubException("The IoT Hub connection is not running"));
            }
            if (!outbound.control && !awaitPermit(mayWait)) {
                return CompletableFuture.failedFuture(new IotHubBackPressureException(this.maxPending
                        + " messages are still waiting for the hub's acknowledgement (iothub.publish.max-pending); "
                        + "slow down or raise the limit"));
            }
            if (!outbound.control) {
                this.telemetryOutstanding++;
            }
            this.outstanding.add(outbound);
            direct = directAttempt(outbound);
            if (direct == null) {
                lane(outbound).addLast(outbound);
                signalSender(false);
            }
        }
        finally {
            this.lock.unlock();
        }
        if (direct != null) {
            send(direct);
        }
        return outbound.future;
    }

    /** Takes a slot for a message that may go to Paho at once, on the caller's thread; else {@code null}. */
    private @Nullable Attempt directAttempt(Outbound outbound) {
        if (!this.open || this.pahoWindowFull || this.senderBusy || !lane(outbound).isEmpty()) {
            return null;
        }
        if (outbound.control ? this.controlInFlight >= CONTROL_IN_FLIGHT : this.telemetryInFlight >= this.maxInFlight) {
            return null;
        }
        return take(outbound);
    }

    /** Takes an in-flight slot for a message and its content out of the queue's keeping, for one send. */
    private Attempt take(Outbound next) {
        if (next.control) {
            this.controlInFlight++;
        }
        else {
            this.telemetryInFlight++;
        }
        Attempt attempt = new Attempt(next, this.openGeneration, next.topic, next.payload);
        releaseContent(next);
        return attempt;
    }

    /** Stores a telemetry message in the disk buffer, outside the lock (a sync may take milliseconds), then queues it. */
    private CompletableFuture<Void> submitStored(TelemetryLog buffer, String topic, byte[] payload, int qos,
            boolean mayWait) {
        if (!isAccepting()) {
            return CompletableFuture.failedFuture(new IotHubException("The IoT Hub connection is not running"));
        }
        TelemetryLog.Appended appended;
        try {
            appended = buffer.append(topic, payload, mayWait ? this.sendTimeout : Duration.ZERO);
        }
        catch (TelemetryBufferFullException ex) {
            return CompletableFuture.failedFuture(new IotHubBackPressureException(ex.getMessage()));
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(new IotHubException("Could not store the telemetry", ex));
        }
        Outbound outbound = new Outbound(topic, payload, qos, false, appended.stored());
        List<Outbound> dropped = new ArrayList<>();
        this.lock.lock();
        try {
            if (appended.droppedBefore() >= 0) {
                for (Outbound older = this.outstanding.oldest(); older != null; older = older.newer) {
                    if (older.stored != null && older.stored.sequence() < appended.droppedBefore()) {
                        dropped.add(older);
                    }
                }
            }
            if (!this.accepting) {
                return CompletableFuture.failedFuture(new IotHubException("The IoT Hub connection stopped; the "
                        + "message stays in the telemetry buffer and is sent after the next start"));
            }
            retainOrRelease(outbound, topic, payload);
            this.telemetryOutstanding++;
            this.outstanding.add(outbound);
            this.telemetry.addLast(outbound);
            signalSender(false);
        }
        finally {
            this.lock.unlock();
        }
        for (Outbound older : dropped) {
            finish(older, new IotHubException("Dropped from the full telemetry buffer (iothub.buffer.when-full="
                    + "drop-oldest) before the hub acknowledged it"), true);
        }
        return outbound.future;
    }

    /** Keeps a stored message's content in memory while the retained bytes allow, else leaves it on disk only. */
    private void retainOrRelease(Outbound outbound, @Nullable String topic, byte @Nullable [] payload) {
        StoredMessage stored = outbound.stored;
        if (stored != null && topic != null && payload != null
                && this.retainedBytes + stored.size() <= RETAINED_BYTES) {
            outbound.topic = topic;
            outbound.payload = payload;
            this.retainedBytes += stored.size();
        }
        else {
            outbound.topic = null;
            outbound.payload = null;
        }
    }

    /** Takes a stored message's content out of memory (it is handed to Paho, or completed). */
    private void releaseContent(Outbound outbound) {
        StoredMessage stored = outbound.stored;
        if (stored != null && outbound.payload != null) {
            this.retainedBytes -= stored.size();
            outbound.topic = null;
            outbound.payload = null;
        }
    }

    /** Record bytes of stored telemetry whose content is held in memory. */
    long retainedBytes() {
        this.lock.lock();
        try {
            return this.retainedBytes;
        }
        finally {
            this.lock.unlock();
        }
    }

    private boolean isAccepting() {
        this.lock.lock();
        try {
            return this.accepting;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Waits for a telemetry permit. While it waits, messages that finish are handed to this thread rather than to
     * the completion executor: it completes their futures each time it wakes, outside the lock, so that a sender
     * held back by {@code maxPending} costs one thread wake-up per acknowledgement instead of two.
     */
    private boolean awaitPermit(boolean mayWait) {
        long left = mayWait ? this.sendTimeout.toNanos() : 0;
        while (this.telemetryOutstanding >= this.maxPending && this.accepting) {
            if (left <= 0) {
                return false;
            }
            this.permitWaiters++;
            try {
                left = this.permits.awaitNanos(left);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            }
            finally {
                this.permitWaiters--;
                completeHandedOver();
            }
        }
        return this.accepting;
    }

    /**
     * Completes, on this waiting sender's thread and outside the lock, what finished while it waited; an interrupted
     * sender leaves them to the completion executor instead of running users' code with its interrupt set.
     */
    private void completeHandedOver() {
        if (this.finished.isEmpty()) {
            return;
        }
        if (Thread.currentThread().isInterrupted()) {
            dispatchFinished();
            return;
        }
        this.lock.unlock();
        try {
            if (this.completing.compareAndSet(false, true)) {
                completeFinished();
            }
        }
        finally {
            this.lock.lock();
        }
    }

    /** The connection is up: messages may flow. */
    void open() {
        this.lock.lock();
        try {
            this.open = true;
            this.openGeneration++;
            signalSender(false);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The connection is down or renewing: messages wait. */
    void pause() {
        this.lock.lock();
        try {
            this.open = false;
            this.settled.signalAll();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Stops accepting messages and waits, up to the timeout and while the connection is up, until every accepted
     * message is acknowledged.
     *
     * @return whether nothing is outstanding
     */
    boolean drain(Duration timeout) {
        long left = timeout.toNanos();
        this.lock.lock();
        try {
            this.accepting = false;
            this.permits.signalAll();
            while (!this.outstanding.isEmpty() && this.open && left > 0) {
                left = this.settled.awaitNanos(left);
            }
            return this.outstanding.isEmpty();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return this.outstanding.isEmpty();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Stops the sender thread and fails every message not yet acknowledged. */
    void stop() {
        List<Outbound> left;
        this.lock.lock();
        try {
            this.accepting = false;
            this.running = false;
            this.open = false;
            this.sendable.signalAll();
            this.permits.signalAll();
            this.settled.signalAll();
            left = this.outstanding.toList();
        }
        finally {
            this.lock.unlock();
        }
        Thread sender = this.thread;
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        String kept = (this.buffer != null) ? "; telemetry stays in the disk buffer and is sent after the next start"
                : "";
        for (Outbound outbound : left) {
            finish(outbound, new IotHubException("The IoT Hub connection stopped before the hub acknowledged the "
                    + "message" + kept), true);
        }
    }

    /** The disk buffer behind the telemetry lane, or {@code null} when telemetry is held in memory only. */
    @Nullable TelemetryLog buffer() {
        return this.buffer;
    }

    /** How many accepted messages the hub has not acknowledged yet. */
    int size() {
        this.lock.lock();
        try {
            return this.outstanding.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Attempt attempt = nextAttempt();
            if (attempt == null) {
                return;
            }
            send(attempt);
        }
    }

    /** Waits, without polling, until a message may go out; {@code null} once stopped. */
    private @Nullable Attempt nextAttempt() {
        this.lock.lock();
        try {
            this.senderBusy = false;
            while (this.running) {
                Outbound next = sendable();
                if (next != null) {
                    this.senderBusy = true;
                    return take(next);
                }
                if (this.pahoWindowFull) {
                    // Someone else sharing the client (a Spring Integration adapter) fills Paho's window
                    this.sendable.await(10, TimeUnit.MILLISECONDS);
                    this.pahoWindowFull = false;
                }
                else {
                    this.sendable.await();
                }
            }
            return null;
        }
        catch (InterruptedException ex) {
            return null;
        }
        finally {
            this.lock.unlock();
        }
    }

    private @Nullable Outbound sendable() {
        if (!this.open || this.pahoWindowFull) {
            return null;
        }
        if (this.controlInFlight < CONTROL_IN_FLIGHT) {
            Outbound next = pollLive(this.control);
            if (next != null) {
                return next;
            }
        }
        return (this.telemetryInFlight < this.maxInFlight) ? pollLive(this.telemetry) : null;
    }

    private static @Nullable Outbound pollLive(Deque<Outbound> lane) {
        Outbound next = lane.pollFirst();
        while (next != null && next.done) {
            next = lane.pollFirst();
        }
        return next;
    }

    private void send(Attempt attempt) {
        Outbound outbound = attempt.outbound;
        IMqttAsyncClient mqtt = this.client.get();
        if (mqtt == null) {
            retry(attempt, null);
            return;
        }
        String topic = attempt.topic;
        byte[] payload = attempt.payload;
        if (topic == null || payload == null) {
            BufferedMessage stored = readBack(attempt);
            if (stored == null) {
                return;
            }
            topic = stored.topic();
            payload = stored.payload();
            attempt.topic = topic;
            attempt.payload = payload;
        }
        try {
            mqtt.publish(topic, payload, outbound.qos, false, null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    settle(attempt, null, false);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    if (isTransient(exception)) {
                        forget(mqtt, token);
                        retry(attempt, null);
                    }
                    else {
                        settle(attempt, new IotHubException("Could not publish to " + attempt.topic, exception),
                                false);
                    }
                }

            });
        }
        catch (MqttException ex) {
            if (isTransient(ex)) {
                retry(attempt, ex);
            }
            else {
                settle(attempt, new IotHubException("Could not publish to " + attempt.topic, ex), false);
            }
        }
        catch (RuntimeException ex) {
            settle(attempt, new IotHubException("Could not publish to " + attempt.topic, ex), false);
        }
    }

    /**
     * Reads a stored message's content back from the disk buffer, on the sending thread; a damaged record fails its
     * message (which leaves the buffer) and the lane goes on.
     *
     * @return the message, or {@code null} when the attempt ended here
     */
    private @Nullable BufferedMessage readBack(Attempt attempt) {
        Outbound outbound = attempt.outbound;
        TelemetryLog buffer = this.buffer;
        StoredMessage stored = outbound.stored;
        if (buffer == null || stored == null) {
            throw new IllegalStateException("A message without content or stored record");
        }
        BufferedMessage ahead = readAhead(buffer, stored);
        if (ahead != null) {
            return ahead;
        }
        try {
            BufferedMessage message = buffer.read(stored);
            if (message != null) {
                return message;
            }
            if (Thread.currentThread().isInterrupted()) {
                retry(attempt, null);
            }
            else {
                settle(attempt, new IotHubException("Dropped from the full telemetry buffer (iothub.buffer.when-full="
                        + "drop-oldest) before the hub acknowledged it"), true);
            }
        }
        catch (TelemetryBufferDamagedException ex) {
            settle(attempt, new IotHubException(ex.getMessage(), ex), false);
        }
        return null;
    }

    /**
     * Reads a stored message back together with the next ones on disk only that follow it in its segment, and keeps
     * theirs in memory while the retained bytes allow: one read for many sends.
     *
     * @return the first message, or {@code null} when it must be read on its own
     */
    private @Nullable BufferedMessage readAhead(TelemetryLog buffer, StoredMessage first) {
        List<Outbound> next = new ArrayList<>();
        List<StoredMessage> run = new ArrayList<>();
        run.add(first);
        this.lock.lock();
        try {
            long end = first.offset() + first.size();
            long budget = Math.min(READ_AHEAD_BYTES, RETAINED_BYTES - this.retainedBytes) - first.size();
            for (Outbound outbound : this.telemetry) {
                StoredMessage stored = outbound.stored;
                if (stored == null || outbound.done || outbound.payload != null || stored.segment() != first.segment()
                        || stored.offset() != end || stored.size() > budget) {
                    break;
                }
                next.add(outbound);
                run.add(stored);
                end += stored.size();
                budget -= stored.size();
            }
        }
        finally {
            this.lock.unlock();
        }
        if (next.isEmpty()) {
            return null;
        }
        List<@Nullable BufferedMessage> contents = buffer.readAhead(run);
        if (contents.size() != run.size()) {
            return null;
        }
        this.lock.lock();
        try {
            for (int i = 0; i < next.size(); i++) {
                BufferedMessage content = contents.get(i + 1);
                Outbound outbound = next.get(i);
                if (content != null && !outbound.done && outbound.payload == null) {
                    retainOrRelease(outbound, content.topic(), content.payload());
                }
            }
        }
        finally {
            this.lock.unlock();
        }
        return contents.get(0);
    }

    /** Stops Paho from re-sending a failed delivery after the next CONNACK: this queue sends it again itself. */
    private static void forget(IMqttAsyncClient mqtt, IMqttToken token) {
        if (token instanceof IMqttDeliveryToken delivery) {
            try {
                mqtt.removeMessage(delivery);
            }
            catch (MqttException | RuntimeException ex) {
                logger.debug("Could not remove a failed delivery from the MQTT session", ex);
            }
        }
    }

    /**
     * Puts an attempt's message back at the head of its lane. A synchronous refusal (e.g. "not connected") means
     * the connection went away before the manager noticed: hold the lane until the next {@link #open()}.
     */
    private void retry(Attempt attempt, @Nullable MqttException refusal) {
        Outbound outbound = attempt.outbound;
        this.lock.lock();
        try {
            releaseLocked(attempt);
            if (outbound.done) {
                return;
            }
            if (refusal != null && refusal.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                this.pahoWindowFull = true;
            }
            else if (refusal != null && attempt.generation == this.openGeneration) {
                this.open = false;
            }
            if (outbound.retries++ == 0) {
                logger.debug("Publish to " + attempt.topic + " will be retried when the connection allows it");
            }
            if (outbound.stored != null) {
                retainOrRelease(outbound, attempt.topic, attempt.payload);
            }
            lane(outbound).addFirst(outbound);
            signalSender(false);
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Ends an attempt for good: gives back its in-flight slot and completes its message, under one lock. */
    private void settle(Attempt attempt, @Nullable Throwable failure, boolean keepStored) {
        boolean finished;
        boolean handedOver = false;
        this.lock.lock();
        try {
            releaseLocked(attempt);
            finished = finishLocked(attempt.outbound);
            if (finished) {
                handedOver = handOverLocked(attempt.outbound, failure);
            }
        }
        finally {
            this.lock.unlock();
        }
        if (finished && !handedOver) {
            complete(attempt.outbound, failure, keepStored);
        }
    }

    /**
     * Hands a finished message to a sender waiting for a permit, which completes it when it wakes (see
     * {@link #awaitPermit}); not with a disk buffer, whose record must be acknowledged outside the lock first.
     *
     * @return whether a waiting sender will complete it
     */
    private boolean handOverLocked(Outbound outbound, @Nullable Throwable failure) {
        if (this.permitWaiters == 0 || this.buffer != null) {
            return false;
        }
        outbound.failure = failure;
        this.finished.add(outbound);
        this.permits.signal();
        return true;
    }

    /** Gives back an attempt's in-flight slot, once per attempt whatever Paho calls. */
    private void releaseLocked(Attempt attempt) {
        if (attempt.released) {
            return;
        }
        attempt.released = true;
        this.pahoWindowFull = false;
        if (attempt.outbound.control) {
            this.controlInFlight--;
        }
        else {
            this.telemetryInFlight--;
        }
        signalSender(true);
    }

    /**
     * Wakes the sending thread when it may send now, and only then: every acknowledgement frees a slot, but the
     * thread is woken only once {@link #senderBatch} telemetry slots are free, so that it sends several messages
     * per wake-up instead of one (control traffic wakes it at once).
     */
    private void signalSender(boolean acknowledged) {
        if (!this.open || this.pahoWindowFull) {
            return;
        }
        int slots = acknowledged ? this.senderBatch : 1;
        if ((!this.control.isEmpty() && this.controlInFlight < CONTROL_IN_FLIGHT)
                || (!this.telemetry.isEmpty() && this.telemetryInFlight <= this.maxInFlight - slots)) {
            this.sendable.signal();
        }
    }

    /**
     * Completes a message exactly once: its future, its permit and its place among the outstanding, and, unless
     * {@code keepStored}, its place in the disk buffer.
     */
    private void finish(Outbound outbound, @Nullable Throwable failure, boolean keepStored) {
        boolean finished;
        this.lock.lock();
        try {
            finished = finishLocked(outbound);
        }
        finally {
            this.lock.unlock();
        }
        if (finished) {
            complete(outbound, failure, keepStored);
        }
    }

    /**
     * Takes a message out of the outstanding, once; telemetry senders waiting for a permit are woken once
     * {@link #permitBatch} permits are free, so that they queue several messages per wake-up.
     *
     * @return whether this call finished it
     */
    private boolean finishLocked(Outbound outbound) {
        if (outbound.done) {
            return false;
        }
        outbound.done = true;
        releaseContent(outbound);
        this.outstanding.remove(outbound);
        if (!outbound.control) {
            this.telemetryOutstanding--;
            if (this.telemetryOutstanding <= this.maxPending - this.permitBatch) {
                this.permits.signalAll();
            }
        }
        if (this.outstanding.isEmpty()) {
            this.settled.signalAll();
        }
        return true;
    }

    /**
     * Leaves the disk buffer and has the completion executor complete the message's future, in the order messages
     * finish. One task completes every message that finished while it was queued or running, so that a burst of
     * acknowledgements costs the executor one hand-off rather than one per message.
     */
    private void complete(Outbound outbound, @Nullable Throwable failure, boolean keepStored) {
        if (this.buffer != null && outbound.stored != null && !keepStored) {
            this.buffer.acknowledge(outbound.stored.sequence());
        }
        outbound.failure = failure;
        this.finished.add(outbound);
        dispatchFinished();
    }

    /** Has the completion executor complete {@link #finished}, unless a task or a waiting sender does already. */
    private void dispatchFinished() {
        if (this.completing.compareAndSet(false, true)) {
            try {
                this.completions.execute(this::completeFinished);
            }
            catch (RuntimeException rejected) {
                completeFinished();
            }
        }
    }

    private void completeFinished() {
        do {
            Outbound outbound;
            while ((outbound = this.finished.poll()) != null) {
                Throwable failure = outbound.failure;
                if (failure != null) {
                    outbound.future.completeExceptionally(failure);
                }
                else {
                    outbound.future.complete(null);
                }
            }
            this.completing.set(false);
        }
        while (!this.finished.isEmpty() && this.completing.compareAndSet(false, true));
    }

    private Deque<Outbound> lane(Outbound outbound) {
        return outbound.control ? this.control : this.telemetry;
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

    /**
     * An accepted message. A stored message's {@code topic} and {@code payload} are {@code null} while its content is
     * on disk only; they, {@code done} and {@code retries} are guarded by the queue's lock.
     */
    private static final class Outbound {

        @Nullable String topic;

        byte @Nullable [] payload;

        final int qos;

        final boolean control;

        /** Where the disk buffer holds it, or {@code null}. */
        final @Nullable StoredMessage stored;

        final CompletableFuture<Void> future = new CompletableFuture<>();

        /** Why it failed, set once it finished, before it is handed to the completion executor. */
        @Nullable Throwable failure;

        boolean done;

        int retries;

        /** Its neighbours among the {@link Outstanding}, while it is there. */
        @Nullable Outbound older;

        @Nullable Outbound newer;

        boolean linked;

        Outbound(@Nullable String topic, byte @Nullable [] payload, int qos, boolean control,
                @Nullable StoredMessage stored) {
            this.topic = topic;
            this.payload = payload;
            this.qos = qos;
            this.control = control;
            this.stored = stored;
        }

    }

    /**
     * The accepted messages not yet finished, oldest first: a list threaded through the messages themselves, so that
     * accepting and finishing a message, once each per send, allocate nothing. Used under the queue's lock only.
     */
    private static final class Outstanding {

        private @Nullable Outbound oldest;

        private @Nullable Outbound newest;

        private int size;

        void add(Outbound outbound) {
            outbound.older = this.newest;
            outbound.newer = null;
            if (this.newest != null) {
                this.newest.newer = outbound;
            }
            else {
                this.oldest = outbound;
            }
            this.newest = outbound;
            outbound.linked = true;
            this.size++;
        }

        void remove(Outbound outbound) {
            if (!outbound.linked) {
                return;
            }
            Outbound older = outbound.older;
            Outbound newer = outbound.newer;
            if (older != null) {
                older.newer = newer;
            }
            else {
                this.oldest = newer;
            }
            if (newer != null) {
                newer.older = older;
            }
            else {
                this.newest = older;
            }
            outbound.older = null;
            outbound.newer = null;
            outbound.linked = false;
            this.size--;
        }

        @Nullable Outbound oldest() {
            return this.oldest;
        }

        boolean isEmpty() {
            return this.size == 0;
        }

        int size() {
            return this.size;
        }

        List<Outbound> toList() {
            List<Outbound> list = new ArrayList<>(this.size);
            for (Outbound outbound = this.oldest; outbound != null; outbound = outbound.newer) {
                list.add(outbound);
            }
            return list;
        }

    }

    /**
     * One send of a message, holding one in-flight slot until Paho reports on it, and the message's content while
     * it is sent.
     */
    private static final class Attempt {

        final Outbound outbound;

        final long generation;

        @Nullable String topic;

        byte @Nullable [] payload;

        boolean released;

        Attempt(Outbound outbound, long generation, @Nullable String topic, byte @Nullable [] payload) {
            this.outbound = outbound;
            this.generation = generation;
            this.topic = topic;
            this.payload = payload;
        }

    }

}
