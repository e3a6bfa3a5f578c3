package dev.iothub.protocol;

import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A topic IoT Hub publishes to a device, parsed: a cloud-to-device message, a twin response, a desired-properties
 * notification, a direct-method request, or {@link Invalid} for anything a device cannot use.
 */
public sealed interface HubTopic {

    /**
     * Parses a topic published by the hub to one identity. Only the exact forms IoT Hub documents are accepted:
     * {@code devices/{d}[/modules/{m}]/messages/devicebound/[bag]} for this identity,
     * {@code $iothub/twin/res/{status}/?$rid={rid}[&$version={n}]},
     * {@code $iothub/twin/PATCH/properties/desired/?$version={n}} and
     * {@code $iothub/methods/POST/{name}/?$rid={rid}}. Never throws.
     *
     * @param topic the topic
     * @param deviceId the device id of the receiving identity
     * @param moduleId the module id of the receiving identity, or {@code null} for a device
     * @return the parsed topic, or an {@link Invalid} saying why it cannot be used
     */
    static HubTopic parse(String topic, String deviceId, @Nullable String moduleId) {
        return HubTopicParser.parse(topic, Topics.identityPrefix(deviceId, moduleId));
    }

    /**
     * Parses a topic published by the hub, accepting a cloud-to-device topic of any identity. A device should use
     * {@link #parse(String, String, String)}, which also checks the identity.
     *
     * @return the parsed topic, or empty for a topic a device cannot use
     */
    static Optional<HubTopic> parse(String topic) {
        HubTopic parsed = HubTopicParser.parse(topic, null);
        return (parsed instanceof Invalid) ? Optional.empty() : Optional.of(parsed);
    }

    /**
     * A cloud-to-device message.
     *
     * @param properties the decoded property bag, system keys as {@code $.mid} etc. (values may be {@code null})
     */
    record CloudToDevice(Map<String, @Nullable String> properties) implements HubTopic {
    }

    /**
     * A response to a twin GET or PATCH.
     *
     * @param status the status, e.g. 200, 204, 400, 412, 429
     * @param requestId the {@code $rid} of the request
     * @param version the new reported version after a PATCH, or {@code null}
     */
    record TwinResponse(int status, String requestId, @Nullable Long version) implements HubTopic {
    }

    /**
     * A desired-properties change notification.
     *
     * @param version the new desired version
     */
    record DesiredPatch(long version) implements HubTopic {
    }

    /**
     * A direct-method request.
     *
     * @param methodName the method name
     * @param requestId the {@code $rid} to answer with
     */
    record MethodRequest(String methodName, String requestId) implements HubTopic {
    }

    /**
     * A topic a device cannot use: outside the dialect, addressed to another identity, misshapen, or with a
     * malformed escape, missing {@code $rid} or non-numeric {@code $version} or status.
     *
     * @param kind what the topic looks like, as far as can be told
     * @param reason why it cannot be used, a fixed phrase without the topic (e.g. {@code no $rid})
     * @param requestId the {@code $rid} when it could be read (a misshapen method request can still be answered),
     * else {@code null}
     */
    record Invalid(Kind kind, String reason, @Nullable String requestId) implements HubTopic {
    }

    /**
     * The kinds of topic the hub publishes to devices.
     */
    enum Kind {

        /** {@code devices/.../messages/devicebound/...}. */
        CLOUD_TO_DEVICE,

        /** {@code $iothub/twin/res/...}. */
        TWIN_RESPONSE,

        /** {@code $iothub/twin/PATCH/properties/desired/...}. */
        DESIRED_PATCH,

        /** {@code $iothub/methods/POST/...}. */
        METHOD_REQUEST,

        /** None of the above. */
        UNKNOWN

    }

}
