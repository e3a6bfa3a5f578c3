package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;

/**
 * A single "connection thread" that is the test's own: tasks run only in {@link #runReady()} and
 * {@link #advance(Duration)}, one after another, at the instant of a clock only the test moves. So a test can say
 * exactly which timers are pending and what happens when each fires.
 */
final class ManualTaskScheduler implements TaskScheduler {

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

    private final List<Task> tasks = new ArrayList<>();

    private long sequence;

    @Override
    public Clock getClock() {
        return this.clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        Task scheduled = new Task(task, startTime, this.sequence++);
        this.tasks.add(scheduled);
        return scheduled;
    }

    /** Runs every task that is due now, including those the tasks schedule for now. */
    void runReady() {
        advance(Duration.ZERO);
    }

    /** Moves the clock forward, running each task when its time comes. */
    void advance(Duration duration) {
        Instant target = this.clock.instant().plus(duration);
        Task next = nextDueBy(target);
        while (next != null) {
            this.tasks.remove(next);
            if (next.startTime.isAfter(this.clock.instant())) {
                this.clock.set(next.startTime);
            }
            next.run();
            next = nextDueBy(target);
        }
        this.clock.set(target);
    }

    /** The delays of the timers still pending, from now. */
    List<Duration> timers() {
        Instant now = this.clock.instant();
        return this.tasks.stream().map((task) -> Duration.between(now, task.startTime)).toList();
    }

    private @Nullable Task nextDueBy(Instant target) {
        return this.tasks.stream()
            .filter((task) -> !task.startTime.isAfter(target))
            .min(Comparator.comparing((Task task) -> task.startTime).thenComparingLong((task) -> task.sequence))
            .orElse(null);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        throw new UnsupportedOperationException();
    }

    private final class Task implements ScheduledFuture<Object> {

        private final Runnable runnable;

        private final Instant startTime;

        private final long sequence;

        private boolean cancelled;

        private boolean done;

        Task(Runnable runnable, Instant startTime, long sequence) {
            this.runnable = runnable;
            this.startTime = startTime;
            this.sequence = sequence;
        }

        void run() {
            this.done = true;
            this.runnable.run();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (this.done) {
                return false;
            }
            this.cancelled = true;
            this.done = true;
            ManualTaskScheduler.this.tasks.remove(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return this.cancelled;
        }

        @Override
        public boolean isDone() {
            return this.done;
        }

        @Override
        public @Nullable Object get() {
            return null;
        }

        @Override
        public @Nullable Object get(long timeout, TimeUnit unit) {
            return null;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(ManualTaskScheduler.this.clock.instant(), this.startTime));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

    }

    /** A clock that stands still until the scheduler moves it. */
    static final class MovableClock extends Clock {

        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            this.now = instant;
        }

        @Override
        public Instant instant() {
            return this.now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

    }

}
