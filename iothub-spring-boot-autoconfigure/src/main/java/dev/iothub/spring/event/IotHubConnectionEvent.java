package dev.iothub.spring.event;

import org.springframework.context.ApplicationEvent;

/**
 * Base class of the IoT Hub connection events.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public abstract class IotHubConnectionEvent extends ApplicationEvent {

    private final String clientId;

    protected IotHubConnectionEvent(Object source, String clientId) {
        super(source);
        this.clientId = clientId;
    }

    /** The MQTT client id: the device id, or {@code deviceId/moduleId}. */
    public String getClientId() {
        return this.clientId;
    }

}
