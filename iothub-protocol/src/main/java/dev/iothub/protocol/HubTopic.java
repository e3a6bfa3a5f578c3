package dev.iothub.protocol;

import java.util.Map;
import java.util.Optional;

/**
 * A topic IoT Hub publishes to a device, parsed: a cloud-to-device message, a twin response, a desired-properties
 * notification or a direct-method request.
 */
public sealed interface HubTopic {

    /**
     * Parses a topic published by the hub.
     *
     * @return the parsed topic, or empty for a topic this dialect does not use
     */
    static Optional<HubTopic> parse(String topic) {
        if (topic.startsWith("devices/")) {
            int at = topic.indexOf("/messages/devicebound");
            if (at < 0) {
                return Optional.empty();
            }
            String bag = topic.substring(at + "/messages/devicebound".length());
            bag = bag.startsWith("/") ? bag.substring(1) : bag;
            bag = bag.startsWith("?") ? bag.substring(1) : bag;
            return Optional.of(new CloudToDevice(PropertyBag.decode(bag)));
        }
        if (topic.startsWith("$iothub/twin/res/")) {
            String rest = topic.substring("$iothub/twin/res/".length());
            Map<String, String> query = Topics.query(rest);
            int slash = rest.indexOf('/');
            Integer status = (slash > 0) ? parseStatus(rest.substring(0, slash)) : null;
            if (status == null || query.get("$rid") == null) {
                return Optional.empty();
            }
            return Optional.of(new TwinResponse(status, query.get("$rid"), Topics.parseVersion(query.get("$version"))));
        }
        if (topic.startsWith("$iothub/twin/PATCH/properties/desired/")) {
            Long version = Topics.parseVersion(Topics.query(topic).get("$version"));
            return Optional.ofNullable((version != null) ? new DesiredPatch(version) : null);
        }
        if (topic.startsWith("$iothub/methods/POST/")) {
            String rest = topic.substring("$iothub/methods/POST/".length());
            int slash = rest.indexOf('/');
            String requestId = Topics.query(rest).get("$rid");
            if (slash <= 0 || requestId == null) {
                return Optional.empty();
            }
            return Optional.of(new MethodRequest(rest.substring(0, slash), requestId));
        }
        return Optional.empty();
    }

    private static Integer parseStatus(String text) {
        try {
            return Integer.valueOf(text);
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /**
     * A cloud-to-device message.
     *
     * @param properties the decoded property bag, system keys as {@code $.mid} etc. (values may be {@code null})
     */
    record CloudToDevice(Map<String, String> properties) implements HubTopic {
    }

    /**
     * A response to a twin GET or PATCH.
     *
     * @param status the status, e.g. 200, 204, 400, 412, 429
     * @param requestId the {@code $rid} of the request
     * @param version the new reported version after a PATCH, or {@code null}
     */
    record TwinResponse(int status, String requestId, Long version) implements HubTopic {
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
}
