package dev.iothub.spring.event;

/**
 * Published when the device is connected to IoT Hub and subscribed to cloud-to-device messages, direct methods and
 * twin updates.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubConnectedEvent extends IotHubConnectionEvent {

    private final boolean reconnect;

    public IotHubConnectedEvent(Object source, String clientId, boolean reconnect) {
        super(source, clientId);
        this.reconnect = reconnect;
    }

    /** Whether the connection was established again after it had been lost. */
    public boolean isReconnect() {
        return this.reconnect;
    }

    @Override
    public String toString() {
        return "IotHubConnectedEvent[clientId=" + getClientId() + ", reconnect=" + this.reconnect + "]";
    }

}
