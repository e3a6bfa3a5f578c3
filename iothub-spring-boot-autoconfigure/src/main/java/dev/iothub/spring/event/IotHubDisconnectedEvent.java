package dev.iothub.spring.event;

import org.jspecify.annotations.Nullable;

/**
 * Published when the connection to IoT Hub is lost or closed. A routine SAS token renewal does not publish it.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubDisconnectedEvent extends IotHubConnectionEvent {

    private final DisconnectReason reason;

    private final @Nullable Throwable cause;

    public IotHubDisconnectedEvent(Object source, String clientId, DisconnectReason reason,
            @Nullable Throwable cause) {
        super(source, clientId);
        this.reason = reason;
        this.cause = cause;
    }

    /** Why the connection ended. */
    public DisconnectReason getReason() {
        return this.reason;
    }

    /** The exception Paho reported, if any. */
    public @Nullable Throwable getCause() {
        return this.cause;
    }

    @Override
    public String toString() {
        return "IotHubDisconnectedEvent[clientId=" + getClientId() + ", reason=" + this.reason + "]";
    }

}
