package dev.iothub.emulator.hub;

import java.util.concurrent.CompletableFuture;

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

    /**
     * Publishes whatever topic and payload the caller chose, bypassing every check (fault injection).
     *
     * @param qos 0 or 1
     * @return completed when the device acknowledged the message (QoS 1) or it was written (QoS 0)
     */
    CompletableFuture<Void> publishRaw(String topic, byte[] payload, int qos);

    /** Closes the connection, e.g. because a newer connection for the same identity arrived. */
    void close(String reason);
}
