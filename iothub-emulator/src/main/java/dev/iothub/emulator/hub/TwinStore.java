package dev.iothub.emulator.hub;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.Twin;
import dev.iothub.protocol.SubscriptionFilter;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and patches the identities' twins: desired patches from the service (announced to a subscribed device) and
 * reported patches from devices.
 */
final class TwinStore {

    private final DeviceRegistry registry;

    TwinStore(DeviceRegistry registry) {
        this.registry = registry;
    }

    Twin twin(String id) {
        DeviceState state = this.registry.require(id);
        synchronized (state) {
            DeviceTwin twin = state.twin();
            return new Twin(twin.desired(), twin.desiredVersion(), twin.reported(), twin.reportedVersion());
        }
    }

    /** The twin document a device receives for a GET. */
    byte[] twinForDevice(String id) {
        DeviceState state = this.registry.require(id);
        synchronized (state) {
            return Json.MAPPER.writeValueAsBytes(state.twin().deviceView());
        }
    }

    /**
     * Merges a desired patch and notifies the device if it is connected and subscribed (notifications are not queued).
     *
     * @return the new desired version
     * @throws IotHubServiceException {@code 400004} for a property name starting with {@code $}, or a patch that
     * would take the desired properties over 32 KB or 10 levels of nesting
     */
    long patchDesired(String id, Map<String, ?> patch) {
        ObjectNode patchNode;
        try {
            patchNode = Json.MAPPER.valueToTree(patch);
        }
        catch (JacksonException ex) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "The desired patch cannot be written as JSON: " + ex.getOriginalMessage());
        }
        if (hasDollarKey(patchNode)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "Desired property names must not start with '$'");
        }
        DeviceState state = this.registry.require(id);
        DeviceLink link;
        ObjectNode notification;
        synchronized (state) {
            try {
                notification = state.twin().patchDesired(patchNode);
            }
            catch (IllegalArgumentException overLimit) {
                throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, overLimit.getMessage());
            }
            link = state.link();
        }
        long version = notification.get("$version").asLong();
        if (link != null && link.isSubscribed(SubscriptionFilter.DESIRED_PROPERTIES)) {
            link.desiredPropertiesChanged(version, Json.MAPPER.writeValueAsBytes(notification));
        }
        return version;
    }

    /**
     * Applies a reported patch from a device.
     *
     * @param expectedVersion the reported version the device based its patch on, or {@code null} for any
     * @return the status and, on success, the new reported version; 400 also for a patch that would take the
     * reported properties over 32 KB or 10 levels of nesting
     */
    ReportedPatchResult patchReported(String id, byte[] body, @Nullable Long expectedVersion) {
        JsonNode patch = Json.parseOrNull(new String(body, StandardCharsets.UTF_8));
        if (patch == null || !patch.isObject() || hasDollarKey(patch)) {
            return new ReportedPatchResult(400, null);
        }
        DeviceState state = this.registry.require(id);
        synchronized (state) {
            if (expectedVersion != null && expectedVersion != state.twin().reportedVersion()) {
                return new ReportedPatchResult(412, null);
            }
            try {
                return new ReportedPatchResult(204, state.twin().patchReported((ObjectNode) patch));
            }
            catch (IllegalArgumentException overLimit) {
                return new ReportedPatchResult(400, null);
            }
        }
    }

    private static boolean hasDollarKey(JsonNode patch) {
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            if (member.getKey().startsWith("$") || (member.getValue().isObject() && hasDollarKey(member.getValue()))) {
                return true;
            }
        }
        return false;
    }
}
