package dev.iothub.benchmarks.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * The arithmetic of the scale scenario: which fleet sizes it tries, whether a size held, and what stops the ramp of
 * {@code max} before the next size.
 *
 * @param fixed the sizes always tried, ascending
 * @param max whether to ramp beyond the largest fixed size until a size fails or a bound is reached
 * @param step the ramp's increment
 */
record ScaleSteps(List<Integer> fixed, boolean max, int step) {

    /** The word in {@code --scale-devices} that asks for the ramp. */
    static final String MAX = "max";

    /** The acknowledged fraction of the offered messages below which a size did not hold. */
    static final double MIN_ACKNOWLEDGED = 0.95;

    /** Open files each JVM keeps besides its connections (jars, logs, epoll, pipes). */
    static final int FILES_RESERVED = 500;

    /** The fraction of the broker's maximum heap that a projected next size may fill. */
    static final double HEAP_FILL = 0.9;

    /** Parses {@code 1000,10000,max}: whole numbers, and {@code max} anywhere. */
    static ScaleSteps parse(String option, String list, int step) {
        boolean max = false;
        TreeSet<Integer> sizes = new TreeSet<>();
        for (String item : Arrays.stream(list.split(",")).map(String::trim).filter((s) -> !s.isEmpty()).toList()) {
            if (item.equalsIgnoreCase(MAX)) {
                max = true;
                continue;
            }
            try {
                int size = Integer.parseInt(item.replace("_", ""));
                if (size > 0) {
                    sizes.add(size);
                    continue;
                }
            }
            catch (NumberFormatException ex) {
                // reported below
            }
            throw new IllegalArgumentException(option + " takes positive whole numbers and 'max', not " + item);
        }
        if (sizes.isEmpty() && !max) {
            throw new IllegalArgumentException(option + " names no fleet size");
        }
        return new ScaleSteps(List.copyOf(sizes), max, step);
    }

    /** The first size of the ramp: one step beyond the largest fixed size. */
    int firstRampSize() {
        return (this.fixed.isEmpty() ? 0 : this.fixed.get(this.fixed.size() - 1)) + this.step;
    }

    /**
     * The ramp's size after {@code last}: one step more, but no more than the open-file limit leaves room for, so
     * the ramp ends on the most connections the limit allows; {@code -1} when that is not beyond {@code last}.
     *
     * @param openFiles the smaller open-file limit of the two JVMs, -1 when unknown
     */
    int nextRampSize(int last, long openFiles) {
        long next = last + (long) this.step;
        if (openFiles >= 0) {
            next = Math.min(next, openFiles - FILES_RESERVED);
        }
        return (next > last) ? (int) next : -1;
    }

    /**
     * Why a size did not hold, or {@code null} when it did: every device connected, each with a full handshake, and
     * at least {@link #MIN_ACKNOWLEDGED} of the offered messages ({@code devices × seconds}) were acknowledged.
     */
    static @Nullable String failure(int devices, int connected, @Nullable String connectError, long fullHandshakes,
            long acknowledged, long seconds) {
        if (connected < devices) {
            return String.format(Locale.ROOT, "%,d of %,d connected%s", connected, devices,
                    (connectError != null) ? " (" + connectError + ")" : "");
        }
        if (fullHandshakes < connected) {
            return String.format(Locale.ROOT, "only %,d full TLS handshakes for %,d connections (sessions resumed)",
                    fullHandshakes, connected);
        }
        long offered = (long) devices * seconds;
        if (acknowledged < MIN_ACKNOWLEDGED * offered) {
            return String.format(Locale.ROOT, "acknowledged %,d of %,d offered messages (%.1f %% < %.0f %%)",
                    acknowledged, offered, 100.0 * acknowledged / offered, 100 * MIN_ACKNOWLEDGED);
        }
        return null;
    }

    /**
     * The time a step of {@code next} devices should take, from the last step of {@code last} devices: its connect
     * phase grows with the size, the rest (traffic, drain, collections) does not.
     */
    static long projectedNanos(int last, long lastConnectNanos, long lastStepNanos, int next) {
        return lastConnectNanos * next / Math.max(1, last) + Math.max(0, lastStepNanos - lastConnectNanos);
    }

    /**
     * Why the ramp must stop before a step of {@code next} devices, or {@code null} when it may go on.
     *
     * @param next the size of the next step
     * @param elapsedNanos the scenario's time so far
     * @param projectedNanos what the next step should take ({@link #projectedNanos})
     * @param budgetNanos the scenario's time bound
     * @param openFiles the smaller open-file limit of the broker and the fleet JVM (-1: unknown)
     * @param heapWithoutDevices the broker's heap before the last step connected, after a full collection
     * @param heapPerDevice the broker's heap per connected device in the last step, in bytes
     * @param heapMax the broker's maximum heap
     */
    static @Nullable String boundBefore(int next, long elapsedNanos, long projectedNanos, long budgetNanos,
            long openFiles, long heapWithoutDevices, double heapPerDevice, long heapMax) {
        if (elapsedNanos + projectedNanos > budgetNanos) {
            return String.format(Locale.ROOT, "time: %,d devices would take about %.0f s more, beyond the %.0f s "
                    + "budget (%.0f s used)", next, projectedNanos / 1e9, budgetNanos / 1e9, elapsedNanos / 1e9);
        }
        if (openFiles >= 0 && next + FILES_RESERVED > openFiles) {
            return String.format(Locale.ROOT, "open files: %,d devices need more than the limit of %,d (ulimit -n)",
                    next, openFiles);
        }
        if (heapMax > 0 && heapWithoutDevices + heapPerDevice * next > HEAP_FILL * heapMax) {
            return String.format(Locale.ROOT, "broker heap: %,d devices at %.1f KiB each would fill more than %.0f %% "
                    + "of its %,d MiB (--broker-jvm-options)", next, heapPerDevice / 1024, 100 * HEAP_FILL,
                    heapMax >> 20);
        }
        return null;
    }

    /** A per-device figure: the difference over the devices, or {@code NaN} without devices. */
    static double perDevice(double after, double before, int devices) {
        return (devices > 0) ? (after - before) / devices : Double.NaN;
    }
}
