package dev.iothub.emulator.hub;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import dev.iothub.emulator.ReceivedTelemetry;

/**
 * The telemetry the hub received, oldest first, bounded by a number of messages and by their size in bytes: the
 * oldest messages are dropped beyond either limit.
 */
final class TelemetryLog {

    /** What one message costs beyond its body and properties (object headers, map entries), roughly. */
    private static final int MESSAGE_OVERHEAD_BYTES = 256;

    private final int capacity;

    private final long capacityBytes;

    private long bytes;

    private final Deque<Entry> messages = new ArrayDeque<>();

    private long received;

    private int waiters;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition added = this.lock.newCondition();

    /**
     * Creates an empty log.
     *
     * @param capacity the most messages kept
     * @param capacityBytes the most bytes kept, counting bodies, properties (two bytes a character) and a fixed
     * overhead per message
     */
    TelemetryLog(int capacity, long capacityBytes) {
        this.capacity = capacity;
        this.capacityBytes = capacityBytes;
    }

    void add(ReceivedTelemetry message) {
        long size = sizeOf(message);
        this.lock.lock();
        try {
            Entry added = new Entry(++this.received, message, size);
            this.messages.addLast(added);
            this.bytes += added.bytes;
            while (this.messages.size() > this.capacity
                    || (this.bytes > this.capacityBytes && this.messages.size() > 1)) {
                this.bytes -= this.messages.removeFirst().bytes;
            }
            if (this.waiters > 0) {
                this.added.signalAll();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    List<ReceivedTelemetry> find(Predicate<ReceivedTelemetry> filter) {
        this.lock.lock();
        try {
            return this.messages.stream().map(Entry::message).filter(filter).toList();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Waits until a message matching the filter has been received (or already was) and returns the first one. */
    Optional<ReceivedTelemetry> await(Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        return awaitAfter(0, filter, timeout);
    }

    /** Waits for the first message matching the filter that arrives after this call. */
    Optional<ReceivedTelemetry> awaitNext(Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        long after;
        this.lock.lock();
        try {
            after = this.received;
        }
        finally {
            this.lock.unlock();
        }
        return awaitAfter(after, filter, timeout);
    }

    private Optional<ReceivedTelemetry> awaitAfter(long after, Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        long remaining = timeout.toNanos();
        long scanned = after;
        this.lock.lock();
        try {
            while (true) {
                for (Entry entry : this.messages) {
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

    void clear() {
        this.lock.lock();
        try {
            this.messages.clear();
            this.bytes = 0;
        }
        finally {
            this.lock.unlock();
        }
    }

    long bytes() {
        this.lock.lock();
        try {
            return this.bytes;
        }
        finally {
            this.lock.unlock();
        }
    }

    private static long sizeOf(ReceivedTelemetry message) {
        long size = MESSAGE_OVERHEAD_BYTES + message.body().length;
        for (Map<String, String> properties : List.of(message.properties(), message.systemProperties())) {
            for (Map.Entry<String, String> property : properties.entrySet()) {
                String value = property.getValue();
                size += 2L * (property.getKey().length() + ((value != null) ? value.length() : 0));
            }
        }
        return size;
    }

    private record Entry(long sequence, ReceivedTelemetry message, long bytes) {
    }

}
