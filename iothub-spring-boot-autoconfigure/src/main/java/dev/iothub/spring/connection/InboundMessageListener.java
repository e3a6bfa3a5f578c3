package dev.iothub.spring.connection;

/**
 * Receives every message the hub publishes to the device. Called on Paho's callback thread: implementations hand
 * the work to their own thread and must not block.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface InboundMessageListener {

    /**
     * A message arrived.
     *
     * @param topic the topic
     * @param payload the payload
     * @param acknowledgement completes the message (PUBACK for QoS 1); call it once the message is handled
     */
    void messageArrived(String topic, byte[] payload, Runnable acknowledgement);

}
