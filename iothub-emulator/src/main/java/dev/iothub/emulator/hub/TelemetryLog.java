package dev.iothub.emulator.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Predicate;

import dev.iothub.emulator.ReceivedTelemetry;
import org.jspecify.annotations.Nullable;

/**
 * The telemetry the hub received, per identity, oldest first; each identity's share is bounded by a number of
 * messages and by their size in bytes, so one noisy device cannot push out another's messages. Every message gets a
 * hub-wide sequence number in the order received, the cursor of {@link #page}. Listeners of an identity see each of
 * its messages as it is added, in order, on the thread that adds it.
 */
final class TelemetryLog {

    /** What one message costs beyond its body and properties (object headers, map entries), roughly. */
    private static final int MESSAGE_OVERHEAD_BYTES = 256;

    private final int capacity;

    private final long capacityBytes;

    private final Map<String, Share> shares = new HashMap<>();

    private long received;

    private int waiters;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition added = this.lock.newCondition();

    /**
     * Creates an empty log.
     *
     * @param capacity the most messages kept per identity
     * @param capacityBytes the most bytes kept per identity, counting bodies, properties (two bytes a character)
     * and a fixed overhead per message
     */
    TelemetryLog(int capacity, long capacityBytes) {
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
    }

    /**
     * Adds a message of an identity.
     *
     * @param message makes the message from its sequence number
     */
    void add(String id, LongFunction<ReceivedTelemetry> message) {
        this.lock.lock();
        try {
            long sequence = ++this.received;
            ReceivedTelemetry telemetry = message.apply(sequence);
            Share share = this.shares.computeIfAbsent(id, (key) -> new Share());
            Entry added = new Entry(sequence, telemetry, sizeOf(telemetry));
            share.messages.addLast(added);
            share.bytes += added.bytes;
            while (share.messages.size() > this.capacity
                    || (share.bytes > this.capacityBytes && share.messages.size() > 1)) {
                share.bytes -= share.messages.removeFirst().bytes;
            }
            share.listeners.forEach((listener) -> listener.accept(telemetry));
            if (this.waiters > 0) {
                this.added.signalAll();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The messages of an identity ({@code null} for all) that match the filter, oldest first. */
    List<ReceivedTelemetry> find(@Nullable String id, Predicate<ReceivedTelemetry> filter) {
        this.lock.lock();
        try {
            return entries(id).stream().map(Entry::message).filter(filter).toList();
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Up to {@code limit} messages of an identity, oldest first, with a sequence number above {@code after} and
     * enqueued at or after {@code since} (when given).
     */
    List<ReceivedTelemetry> page(String id, long after, @Nullable Instant since, int limit) {
        return find(id, (message) -> message.sequenceNumber() > after
                && (since == null || !message.enqueuedTime().isBefore(since)))
            .stream()
            .limit(limit)
            .toList();
    }

    /**
     * Calls the listener with each message of the identity added from now on, until the returned action is run.
     * The listener runs under the log's lock: it must be quick and must not block.
     */
    Runnable subscribe(String id, Consumer<ReceivedTelemetry> listener) {
        this.lock.lock();
        try {
            this.shares.computeIfAbsent(id, (key) -> new Share()).listeners.add(listener);
        }
        finally {
            this.lock.unlock();
        }
        return () -> {
            this.lock.lock();
            try {
                Share share = this.shares.get(id);
                if (share != null) {
                    share.listeners.remove(listener);
                }
            }
            finally {
                this.lock.unlock();
            }
        };
    }

    /** Waits until a message of the identity matching the filter has been received (or already was). */
    Optional<ReceivedTelemetry> await(String id, Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        return awaitAfter(id, 0, filter, timeout);
    }

    /** Waits for the first message of the identity matching the filter that arrives after this call. */
    Optional<ReceivedTelemetry> awaitNext(String id, Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        long after;
        this.lock.lock();
        try {
            after = this.received;
        }
        finally {
            this.lock.unlock();
        }
        return awaitAfter(id, after, filter, timeout);
    }

    private Optional<ReceivedTelemetry> awaitAfter(String id, long after, Predicate<ReceivedTelemetry> filter,
            Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        long scanned = after;
        this.lock.lock();
        try {
            while (true) {
                for (Entry entry : entries(id)) {
                    if (entry.sequence > scanned && filter.test(entry.message)) {
                        return Optional.of(entry.message);
                    }
                }
                scanned = Math.max(scanned, this.received);
                if (remaining <= 0) {
                    return Optional.empty();
                }
                this.waiters++;
                try {
                    remaining = this.added.awaitNanos(remaining);
                }
                finally {
                    this.waiters--;
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Forgets the messages of an identity, or of all identities for {@code null}; listeners stay. */
    void clear(@Nullable String id) {
        this.lock.lock();
        try {
            for (Map.Entry<String, Share> share : this.shares.entrySet()) {
                if (id == null || id.equals(share.getKey())) {
                    share.getValue().messages.clear();
                    share.getValue().bytes = 0;
                }
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The bytes kept for an identity. */
    long bytes(String id) {
        this.lock.lock();
        try {
            Share share = this.shares.get(id);
            return (share != null) ? share.bytes : 0;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Called under the lock. */
    private List<Entry> entries(@Nullable String id) {
        if (id != null) {
            Share share = this.shares.get(id);
            return (share != null) ? List.copyOf(share.messages) : List.of();
        }
        List<Entry> all = new ArrayList<>();
        this.shares.values().forEach((share) -> all.addAll(share.messages));
        all.sort(Comparator.comparingLong(Entry::sequence));
        return all;
    }

    private static long sizeOf(ReceivedTelemetry message) {
        long size = MESSAGE_OVERHEAD_BYTES + message.body().length;
        for (Map<String, @Nullable String> properties : List.of(message.properties(), message.systemProperties())) {
            for (Map.Entry<String, @Nullable String> property : properties.entrySet()) {
                String value = property.getValue();
                size += 2L * (property.getKey().length() + ((value != null) ? value.length() : 0));
            }
        }
        return size;
    }

    /** One identity's messages and listeners. */
    private static final class Share {

        private final Deque<Entry> messages = new ArrayDeque<>();

        private final List<Consumer<ReceivedTelemetry>> listeners = new CopyOnWriteArrayList<>();

        private long bytes;
    }

    private record Entry(long sequence, ReceivedTelemetry message, long bytes) {
    }
}
