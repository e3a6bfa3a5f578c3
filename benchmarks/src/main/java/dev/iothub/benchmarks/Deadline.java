package dev.iothub.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A point in time every wait of a benchmark step is bounded by.
 */
public final class Deadline {

    private final long deadlineNanos;

    private final String what;

    private Deadline(Duration budget, String what) {
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
        this.what = what;
    }

    /** A deadline {@code budget} from now for the step described by {@code what}. */
    public static Deadline in(Duration budget, String what) {
        return new Deadline(budget, what);
    }

    /** Nanoseconds left, at least zero. */
    public long remainingNanos() {
        return Math.max(0, this.deadlineNanos - System.nanoTime());
    }

    /** Milliseconds left, at least one so it can be passed to APIs that treat zero as "forever". */
    public long remainingMillis() {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNanos()));
    }

    /** Fails when the deadline has passed. */
    public void check() throws BenchmarkTimeoutException {
        if (remainingNanos() == 0) {
            throw new BenchmarkTimeoutException(this.what + " did not finish in time");
        }
    }

    /** An exception saying which step ran out of time. */
    public BenchmarkTimeoutException expired(String detail) {
        return new BenchmarkTimeoutException(this.what + " did not finish in time: " + detail);
    }

    /** A benchmark step that ran out of time. */
    public static final class BenchmarkTimeoutException extends Exception {

        private static final long serialVersionUID = 1L;

        BenchmarkTimeoutException(String message) {
            super(message);
        }
    }
}
