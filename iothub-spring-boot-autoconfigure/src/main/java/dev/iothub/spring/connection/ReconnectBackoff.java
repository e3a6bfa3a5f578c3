package dev.iothub.spring.connection;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential back-off with jitter between reconnection attempts.
 *
 * @param initialDelay the delay before the first attempt
 * @param maxDelay the upper bound of any delay
 * @param multiplier the factor applied after each failed attempt
 * @param jitter the fraction of each delay that is randomised (0 to 1)
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record ReconnectBackoff(Duration initialDelay, Duration maxDelay, double multiplier, double jitter) {

    /**
     * The delay before the given attempt (1 for the first).
     *
     * @param attempt the attempt number, starting at 1
     * @param random a source of numbers in [0, 1)
     */
    public Duration delay(int attempt, DoubleSupplier random) {
        double base = this.initialDelay.toMillis() * Math.pow(this.multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, this.maxDelay.toMillis());
        double spread = capped * this.jitter;
        double jittered = capped - spread + (2 * spread * random.getAsDouble());
        return Duration.ofMillis(Math.max(0, Math.min((long) jittered, this.maxDelay.toMillis())));
    }

}
