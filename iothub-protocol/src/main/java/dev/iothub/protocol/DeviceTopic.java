package dev.iothub.protocol;

import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * A topic a device publishes to, parsed: telemetry, a twin request or a direct-method response.
 */
public sealed interface DeviceTopic {

    /**
     * Parses a topic published by a device. Never throws.
     *
     * @return the parsed topic, or empty when IoT Hub does not accept publishes on it (malformed percent-escapes
     * included)
     */
    static Optional<DeviceTopic> parse(String topic) {
        try {
            return parseStrictly(topic);
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private static Optional<DeviceTopic> parseStrictly(String topic) {
        if (topic.startsWith("devices/")) {
            return Optional.ofNullable(Telemetry.parse(topic));
        }
        if (topic.startsWith("$iothub/twin/GET/")) {
            String requestId = Topics.query(topic).get("$rid");
            return Optional.ofNullable((requestId != null) ? new TwinGet(requestId) : null);
        }
        if (topic.startsWith("$iothub/twin/PATCH/properties/reported/")) {
            Map<String, @Nullable String> query = Topics.query(topic);
            String requestId = query.get("$rid");
            return Optional.ofNullable((requestId != null)
                    ? new ReportedPatch(requestId, Topics.parseVersion(query.get("$version"))) : null);
        }
        if (topic.startsWith("$iothub/methods/res/")) {
            return Optional.ofNullable(MethodResponse.parse(topic));
        }
        return Optional.empty();
    }

    /**
     * Telemetry on {@code devices/{id}[/modules/{module}]/messages/events/[bag][/]}.
     *
     * @param deviceId the device id in the topic
     * @param moduleId the module id in the topic, or {@code null}
     * @param properties the decoded property bag (values may be {@code null})
     */
    record Telemetry(String deviceId, @Nullable String moduleId, Map<String, @Nullable String> properties)
            implements DeviceTopic {

        private static final String EVENTS = "/messages/events";

        static @Nullable Telemetry parse(String topic) {
            int eventsAt = topic.indexOf(EVENTS);
            if (eventsAt < 0) {
                return null;
            }
            String[] identity = topic.substring("devices/".length(), eventsAt).split("/", -1);
            String tail = topic.substring(eventsAt + EVENTS.length());
            if (!tail.isEmpty() && !tail.startsWith("/")) {
                return null;
            }
            String bag = tail.isEmpty() ? "" : tail.substring(1);
            if (bag.endsWith("/")) {
                bag = bag.substring(0, bag.length() - 1);
            }
            if (bag.startsWith("?")) {
                bag = bag.substring(1);
            }
            if (identity.length == 1 && !identity[0].isEmpty()) {
                return new Telemetry(identity[0], null, PropertyBag.decode(bag));
            }
            if (identity.length == 3 && "modules".equals(identity[1]) && !identity[0].isEmpty()
                    && !identity[2].isEmpty()) {
                return new Telemetry(identity[0], identity[2], PropertyBag.decode(bag));
            }
            return null;
        }
    }

    /**
     * A twin GET request.
     *
     * @param requestId the {@code $rid}
     */
    record TwinGet(String requestId) implements DeviceTopic {
    }

    /**
     * A reported-properties patch.
     *
     * @param requestId the {@code $rid}
     * @param expectedVersion the {@code $version} the device expects, or {@code null}
     */
    record ReportedPatch(String requestId, @Nullable Long expectedVersion) implements DeviceTopic {
    }

    /**
     * A direct-method response.
     *
     * @param status the status the device answered with
     * @param requestId the {@code $rid} of the request
     */
    record MethodResponse(int status, String requestId) implements DeviceTopic {

        static @Nullable MethodResponse parse(String topic) {
            String rest = topic.substring("$iothub/methods/res/".length());
            int slash = rest.indexOf('/');
            String requestId = Topics.query(rest).get("$rid");
            if (slash <= 0 || requestId == null) {
                return null;
            }
            try {
                return new MethodResponse(Integer.parseInt(rest.substring(0, slash)), requestId);
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }
    }
}
