package dev.iothub.spring.inbound;

/**
 * Handles cloud-to-device messages. The message is acknowledged (completed) when the handler returns or throws.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface CloudToDeviceMessageHandler {

    /**
     * Handles a message.
     *
     * @param message the message
     * @throws Exception to log the failure; the message is still completed, as MQTT cannot abandon it
     */
    void handle(CloudToDeviceMessage message) throws Exception;

}
