package dev.iothub.emulator.hub;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.protocol.SubscriptionFilter;
import org.jspecify.annotations.Nullable;

/**
 * Everything the hub keeps for one identity: its keys, twin, cloud-to-device queue and current connection.
 * All access goes through the state's monitor, so a connection's event loop and service calls never race.
 */
final class DeviceState {

    private final DeviceIdentity identity;

    private final DeviceTwin twin = new DeviceTwin();

    private final CloudToDeviceQueue cloudToDevice = new CloudToDeviceQueue();

    private @Nullable DeviceLink link;

    private @Nullable String modelId;

    private @Nullable String authType;

    private final Set<String> thumbprints = new HashSet<>();

    private final Set<String> moduleIds = new HashSet<>();

    DeviceState(DeviceIdentity identity) {
        this.identity = identity;
    }

    DeviceIdentity identity() {
        return this.identity;
    }

    DeviceTwin twin() {
        return this.twin;
    }

    CloudToDeviceQueue cloudToDevice() {
        return this.cloudToDevice;
    }

    @Nullable DeviceLink link() {
        return this.link;
    }

    @Nullable String modelId() {
        return this.modelId;
    }

    /** How the last connection authenticated: {@code sas} or {@code x509}, {@code null} before the first. */
    @Nullable String authType() {
        return this.authType;
    }

    Set<String> thumbprints() {
        return this.thumbprints;
    }

    /** The ids of a device's modules (empty for a module), so deleting a device never scans the registry. */
    Set<String> moduleIds() {
        return this.moduleIds;
    }

    /** Makes a link current and returns the one it replaces (or {@code null}); that one's messages are released. */
    @Nullable DeviceLink attach(DeviceLink newLink, @Nullable String newModelId, String newAuthType) {
        DeviceLink previous = this.link;
        if (previous != null) {
            this.cloudToDevice.release(previous);
        }
        this.link = newLink;
        this.modelId = newModelId;
        this.authType = newAuthType;
        return previous;
    }

    /** Forgets a link if it is still the current one; a replaced link never touches its successor's state. */
    void detach(DeviceLink oldLink) {
        this.cloudToDevice.release(oldLink);
        if (this.link == oldLink) {
            this.link = null;
        }
    }

    /** Messages to deliver now: the waiting ones, if the current link takes cloud-to-device messages. */
    List<QueuedMessage> takeDeliverable(DeviceLink onLink) {
        if (this.link != onLink || !onLink.isSubscribed(SubscriptionFilter.CLOUD_TO_DEVICE)) {
            return List.of();
        }
        return this.cloudToDevice.takeWaiting(onLink);
    }
}
