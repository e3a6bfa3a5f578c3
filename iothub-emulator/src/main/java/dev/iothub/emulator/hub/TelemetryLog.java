package dev.iothub.emulator.hub;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import dev.iothub.emulator.TelemetryMessage;

/**
 * The telemetry the hub received, oldest first, bounded (the oldest messages are dropped beyond the capacity).
 */
final class TelemetryLog {

    private final int capacity;

    private final Deque<Entry> messages = new ArrayDeque<>();

    private long received;

    private int waiters;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition added = this.lock.newCondition();

    TelemetryLog(int capacity) {
        this.capacity = capacity;
    }

    void add(TelemetryMessage message) {
        this.lock.lock();
        try {
            if (this.messages.size() == this.capacity) {
                this.messages.removeFirst();
            }
            this.messages.addLast(new Entry(++this.received, message));
            if (this.waiters > 0) {
                this.added.signalAll();
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    List<TelemetryMessage> find(Predicate<TelemetryMessage> filter) {
        this.lock.lock();
        try {
            return this.messages.stream().map(Entry::message).filter(filter).toList();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Waits until a message matching the filter has been received (or already was) and returns the first one. */
    Optional<TelemetryMessage> await(Predicate<TelemetryMessage> filter, Duration timeout)
            throws InterruptedException {
        return awaitAfter(0, filter, timeout);
    }

    /** Waits for the first message matching the filter that arrives after this call. */
    Optional<TelemetryMessage> awaitNext(Predicate<TelemetryMessage> filter, Duration timeout)
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

    private Optional<TelemetryMessage> awaitAfter(long after, Predicate<TelemetryMessage> filter, Duration timeout)
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
        }
        finally {
            this.lock.unlock();
        }
    }

    int size() {
        this.lock.lock();
        try {
            return this.messages.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    private record Entry(long sequence, TelemetryMessage message) {
    }

}
