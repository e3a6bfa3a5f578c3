package dev.iothub.spring.connection;

/**
 * Thrown when a message cannot be accepted because too many earlier messages are still waiting for the hub's
 * acknowledgement ({@code iothub.publish.max-pending}).
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubBackPressureException extends IotHubException {

    public IotHubBackPressureException(String message) {
        super(message);
    }

}
