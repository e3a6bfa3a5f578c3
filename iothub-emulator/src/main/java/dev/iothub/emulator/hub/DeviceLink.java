package dev.iothub.emulator.hub;

import dev.iothub.protocol.SubscriptionFilter;

/**
 * The hub's handle on a device's live connection.
 */
public interface DeviceLink {

    /** Whether the connection's session holds a subscription of this kind. */
    boolean isSubscribed(SubscriptionFilter filter);

    /** Publishes at QoS 0 (twin responses, desired notifications, method requests). */
    void publish(String topic, byte[] payload);

    /**
     * Publishes a cloud-to-device message at QoS 1; the link reports the PUBACK through
     * {@link Hub#cloudToDeviceAcknowledged(String, QueuedMessage)}.
     */
    void deliver(QueuedMessage message);

    /** Closes the connection, e.g. because a newer connection for the same identity arrived. */
    void close(String reason);
}
