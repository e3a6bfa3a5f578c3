package dev.iothub.emulator.hub;

import java.util.concurrent.CompletableFuture;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.protocol.SubscriptionFilter;
import org.jspecify.annotations.Nullable;

/**
 * The hub's handle on a device's live connection. The hub hands it events in its own terms (a desired change, a
 * method request, a queued message); the connection chooses the topics and packets that carry them.
 */
public interface DeviceLink {

    /** The device endpoint the connection came through. */
    DeviceEndpoint endpoint();

    /** The SHA-256 thumbprint of the client certificate the connection authenticated with, or {@code null} (SAS). */
    @Nullable String certificateThumbprint();

    /** Whether the connection's session holds a subscription of this kind. */
    boolean isSubscribed(SubscriptionFilter filter);

    /**
     * Notifies the device that its desired properties changed (QoS 0; not queued for a later connection).
     *
     * @param version the new desired version
     * @param patch the notification body: the patch as JSON with its {@code $version}
     */
    void desiredPropertiesChanged(long version, byte[] patch);

    /** Sends a direct-method request (QoS 0); the device answers it with the same request id. */
    void methodRequest(String methodName, String requestId, byte[] payload);

    /**
     * Delivers a cloud-to-device message at QoS 1; the link reports the PUBACK through
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
