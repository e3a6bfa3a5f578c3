package dev.iothub.spring.event;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Published before each scheduled connection attempt after a failure or a lost connection.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubReconnectingEvent extends IotHubConnectionEvent {

    private final int attempt;

    private final Duration delay;

    private final @Nullable Throwable cause;

    public IotHubReconnectingEvent(Object source, String clientId, int attempt, Duration delay,
            @Nullable Throwable cause) {
        super(source, clientId);
        this.attempt = attempt;
        this.delay = delay;
        this.cause = cause;
    }

    /** The attempt number since the last successful connection, starting at 1. */
    public int getAttempt() {
        return this.attempt;
    }

    /** How long the connection waits before the attempt. */
    public Duration getDelay() {
        return this.delay;
    }

    /** The failure that made the attempt necessary, if any. */
    public @Nullable Throwable getCause() {
        return this.cause;
    }

    @Override
    public String toString() {
        return "IotHubReconnectingEvent[clientId=" + getClientId() + ", attempt=" + this.attempt + ", delay="
                + this.delay + "]";
    }

}
