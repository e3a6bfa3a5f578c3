package dev.iothub.benchmarks.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.iothub.benchmarks.Deadline;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * A session of a stack that publishes asynchronously, one message at a time, with a callback per PUBACK: closed-loop
 * runs and open-loop latency are written once here on top of {@link #publish}.
 *
 * @param <C> one connection
 */
abstract class PublishingSession<C> implements ClientSession {

    private final List<C> connections;

    private final @Nullable ExecutorService senders;

    PublishingSession(List<C> connections) {
        this.connections = List.copyOf(connections);
        if (connections.size() > 1) {
            CustomizableThreadFactory threads = new CustomizableThreadFactory("benchmark-sender-");
            threads.setDaemon(true);
            this.senders = Executors.newFixedThreadPool(connections.size(), threads);
        }
        else {
            this.senders = null;
        }
    }

    /** What a stack calls when a message is acknowledged or has failed. */
    interface Acknowledgement {

        /** @param tag the tag given to {@link #publish}, or -1 */
        void acknowledged(int tag, @Nullable Throwable failure);
    }

    /**
     * Publishes one message on the connection, waiting while its window is full; {@code ack} is called once the
     * PUBACK arrived. Only one thread publishes on a connection at a time.
     *
     * @param tag {@code -1} when the caller does not need it back (closed loop), else the message's index
     */
    abstract void publish(C connection, int tag, Acknowledgement ack, Deadline deadline) throws Exception;

    /** Disconnects one connection. */
    abstract void disconnect(C connection) throws Exception;

    @Override
    public void send(int messages, Deadline deadline) throws Exception {
        if (this.senders == null) {
            sendOn(this.connections.get(0), messages, deadline);
            return;
        }
        List<Future<?>> sending = new ArrayList<>();
        int n = this.connections.size();
        for (int i = 0; i < n; i++) {
            C connection = this.connections.get(i);
            int share = messages / n + ((i < messages % n) ? 1 : 0);
            sending.add(this.senders.submit(() -> {
                sendOn(connection, share, deadline);
                return null;
            }));
        }
        for (Future<?> sender : sending) {
            sender.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void sendOn(C connection, int messages, Deadline deadline) throws Exception {
        CountDownLatch done = new CountDownLatch(messages);
        AtomicInteger failures = new AtomicInteger();
        Acknowledgement ack = (tag, failure) -> {
            if (failure != null) {
                failures.incrementAndGet();
            }
            done.countDown();
        };
        for (int i = 0; i < messages; i++) {
            publish(connection, -1, ack, deadline);
        }
        if (!done.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
            throw deadline.expired(done.getCount() + " messages unacknowledged");
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + messages + " messages failed");
        }
    }

    @Override
    public Histogram openLoop(int ratePerSecond, int messages, Deadline deadline) throws Exception {
        C connection = this.connections.get(0);
        long[] scheduled = new long[messages];
        long[] acknowledged = new long[messages];
        CountDownLatch done = new CountDownLatch(messages);
        AtomicInteger failures = new AtomicInteger();
        Acknowledgement ack = (tag, failure) -> {
            acknowledged[tag] = System.nanoTime();
            if (failure != null) {
                failures.incrementAndGet();
            }
            done.countDown();
        };
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        double period = 1e9 / ratePerSecond;
        for (int i = 0; i < messages; i++) {
            long at = start + (long) (i * period);
            scheduled[i] = at;
            awaitNanoTime(at);
            publish(connection, i, ack, deadline);
        }
        if (!done.await(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
            throw deadline.expired(done.getCount() + " messages unacknowledged");
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + messages + " messages failed");
        }
        Histogram latencies = new Histogram(TimeUnit.MINUTES.toNanos(5), 3);
        for (int i = 0; i < messages; i++) {
            latencies.recordValue(Math.max(0, acknowledged[i] - scheduled[i]));
        }
        return latencies;
    }

    // Parks while the wait is long (the callback threads share this core), yields for the last few microseconds.
    private static void awaitNanoTime(long at) {
        long wait;
        while ((wait = at - System.nanoTime()) > 0) {
            if (wait > 80_000) {
                LockSupport.parkNanos(wait - 60_000);
            }
            else {
                Thread.yield();
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (this.senders != null) {
            this.senders.shutdownNow();
        }
        Exception failure = null;
        for (C connection : this.connections) {
            try {
                disconnect(connection);
            }
            catch (Exception ex) {
                failure = ex;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
