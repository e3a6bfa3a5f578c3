package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * Logs each kind of problem at WARN at most once per interval, so that a hub or a burst repeating it cannot flood
 * the log. The first occurrence is logged at once; later ones within the interval are counted and summarised in one
 * line when the interval ends (on the connection's timer, no thread of its own), or folded into the next line when
 * no timer is available. Thread-safe.
 */
final class RateLimitedWarnings {

    private final Log logger;

    private final Duration interval;

    private final LongSupplier nanoTime;

    private final BiPredicate<Runnable, Duration> scheduler;

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * Creates the warnings.
     *
     * @param scheduler runs a task after a delay, answering {@code false} when it cannot
     */
    RateLimitedWarnings(Log logger, Duration interval, LongSupplier nanoTime,
            BiPredicate<Runnable, Duration> scheduler) {
        this.logger = logger;
        this.interval = interval;
        this.nanoTime = nanoTime;
        this.scheduler = scheduler;
    }

    /**
     * Logs a problem unless the same problem was logged within the interval.
     *
     * @param problem the kind of problem, a fixed sentence that is also the key (e.g. {@code Dropped a twin
     * response from IoT Hub: no $rid})
     * @param details what identifies this occurrence, appended to the problem (e.g. the topic)
     */
    void warn(String problem, String details) {
        Window window = this.windows.computeIfAbsent(problem, (key) -> new Window());
        int earlier;
        long delay = -1;
        synchronized (window) {
            long now = this.nanoTime.getAsLong();
            if (window.open && now - window.openedAt < this.interval.toNanos()) {
                window.held++;
                window.lastDetails = details;
                if (!window.summaryScheduled) {
                    window.summaryScheduled = true;
                    delay = this.interval.toNanos() - (now - window.openedAt);
                }
                earlier = -1;
            }
            else {
                earlier = window.held;
                window.held = 0;
                window.open = true;
                window.openedAt = now;
            }
        }
        if (earlier >= 0) {
            this.logger.warn(problem + details + ((earlier > 0) ? " (and " + earlier + " more before)" : ""));
        }
        if (delay >= 0 && !this.scheduler.test(() -> summarize(problem), Duration.ofNanos(delay))) {
            synchronized (window) {
                window.summaryScheduled = false;
            }
        }
    }

    /** Logs the summaries still held back, e.g. when the application stops. */
    void flush() {
        this.windows.keySet().forEach(this::summarize);
    }

    private void summarize(String problem) {
        Window window = this.windows.get(problem);
        if (window == null) {
            return;
        }
        int held;
        String lastDetails;
        synchronized (window) {
            held = window.held;
            lastDetails = window.lastDetails;
            window.held = 0;
            window.summaryScheduled = false;
            window.openedAt = this.nanoTime.getAsLong();
        }
        if (held > 0) {
            this.logger.warn(problem + ": " + held + " more within " + this.interval.toSeconds() + " s, the last"
                    + lastDetails);
        }
    }

    private static final class Window {

        private boolean open;

        private long openedAt;

        private int held;

        private @Nullable String lastDetails;

        private boolean summaryScheduled;

    }

}
