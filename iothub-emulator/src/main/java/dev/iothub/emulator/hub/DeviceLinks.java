package dev.iothub.emulator.hub;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.IotHubServiceException;
import org.jspecify.annotations.Nullable;

/**
 * Which connection is each identity's current one: at most one per identity, a newer one closes the older, and only
 * the current connection's end clears it (a kicked connection never touches its successor's state).
 */
final class DeviceLinks {

    private final DeviceRegistry registry;

    DeviceLinks(DeviceRegistry registry) {
        this.registry = registry;
    }

    /**
     * Makes a link the identity's current connection and closes the previous one.
     *
     * @param modelId the IoT Plug and Play model id announced at connect, or {@code null}
     * @param authType how the connection authenticated: {@code sas} or {@code x509}
     */
    void attach(String id, DeviceLink link, @Nullable String modelId, String authType) {
        DeviceState state = this.registry.require(id);
        DeviceLink previous;
        synchronized (state) {
            previous = state.attach(link, modelId, authType);
        }
        if (previous != null) {
            previous.close("a new connection for the same identity arrived");
        }
    }

    void detach(String id, DeviceLink link) {
        DeviceState state = this.registry.get(id);
        if (state != null) {
            synchronized (state) {
                state.detach(link);
            }
        }
    }

    /** The identity's current link, or {@code null} when it is not connected. */
    @Nullable DeviceLink current(String id) {
        return current(this.registry.require(id));
    }

    /** The endpoint of the identity's current connection, or {@code null} when it is not connected. */
    @Nullable DeviceEndpoint connectedVia(String id) {
        DeviceLink link = current(id);
        return (link != null) ? link.endpoint() : null;
    }

    /** The thumbprint of the certificate the identity's current connection presented, or {@code null}. */
    @Nullable String connectedThumbprint(String id) {
        DeviceLink link = current(id);
        return (link != null) ? link.certificateThumbprint() : null;
    }

    static @Nullable DeviceLink current(DeviceState state) {
        synchronized (state) {
            return state.link();
        }
    }

    void disconnect(String id) {
        DeviceLink link = current(id);
        if (link != null) {
            link.close("disconnected through the service API");
        }
    }

    /** @throws IotHubServiceException {@code 404103} if the identity is not connected */
    CompletableFuture<Void> publishRaw(String id, String topic, byte[] payload, int qos) {
        DeviceLink link = current(id);
        if (link == null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_ONLINE, "Identity " + id
                    + " is not connected");
        }
        return link.publishRaw(topic, payload, qos);
    }

    /** Closes the connections of identities that were just removed from the registry. */
    static void closeRemoved(List<DeviceState> removed) {
        for (DeviceState state : removed) {
            DeviceLink link;
            synchronized (state) {
                link = state.link();
                if (link != null) {
                    state.detach(link);
                }
            }
            if (link != null) {
                link.close("identity deleted");
            }
        }
    }
}
