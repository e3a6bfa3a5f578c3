package dev.iothub.protocol;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Builds the topic names and subscription filters of the IoT Hub device MQTT dialect.
 */
public final class Topics {

    /** Filter for direct-method requests. */
    public static final String METHODS_FILTER = "$iothub/methods/POST/#";

    /** Filter for twin GET and PATCH responses. */
    public static final String TWIN_RESPONSES_FILTER = "$iothub/twin/res/#";

    /** Filter for desired-property change notifications. */
    public static final String DESIRED_PROPERTIES_FILTER = "$iothub/twin/PATCH/properties/desired/#";

    /** {@code $.mid=} as a property bag writes it: {@code %24.mid=}. */
    private static final String MESSAGE_ID_PREFIX = UrlEncoding.encode(SystemProperties.MESSAGE_ID) + "=";

    private Topics() {
    }

    /** The cloud-to-device filter of a device or module identity. */
    public static String cloudToDeviceFilter(String deviceId, @Nullable String moduleId) {
        return identityPrefix(deviceId, moduleId) + "/messages/devicebound/#";
    }

    /** The telemetry topic with its property bag, in the form without a trailing slash. */
    public static String telemetry(String deviceId, @Nullable String moduleId,
            Map<String, @Nullable String> properties) {
        StringBuilder topic = new StringBuilder(telemetryCapacity(deviceId, moduleId, 0, properties));
        appendIdentity(topic, deviceId, moduleId).append("/messages/events/");
        PropertyBag.encode(properties, topic);
        return topic.toString();
    }

    /**
     * The telemetry topic of a message with its id ({@code $.mid}) first, then the other properties: the same topic
     * as {@link #telemetry(String, String, Map)} with the id first in the bag, without a map entry for the id.
     */
    public static String telemetry(String deviceId, @Nullable String moduleId, String messageId,
            Map<String, @Nullable String> properties) {
        StringBuilder topic = new StringBuilder(telemetryCapacity(deviceId, moduleId, messageId.length(), properties));
        appendIdentity(topic, deviceId, moduleId).append("/messages/events/").append(MESSAGE_ID_PREFIX);
        UrlEncoding.encode(messageId, topic);
        if (!properties.isEmpty()) {
            topic.append('&');
            PropertyBag.encode(properties, topic);
        }
        return topic.toString();
    }

    /** Room for a telemetry topic whose properties need few escapes, so that it is built without a copy. */
    private static int telemetryCapacity(String deviceId, @Nullable String moduleId, int messageIdLength,
            Map<String, @Nullable String> properties) {
        int capacity = 32 + deviceId.length() + ((moduleId != null) ? 9 + moduleId.length() : 0)
                + ((messageIdLength > 0) ? MESSAGE_ID_PREFIX.length() + messageIdLength + 1 : 0);
        for (Map.Entry<String, @Nullable String> property : properties.entrySet()) {
            String value = property.getValue();
            capacity += property.getKey().length() + ((value != null) ? value.length() : 0) + 8;
        }
        return capacity;
    }

    /** The topic of a cloud-to-device message with its property bag. */
    public static String cloudToDevice(String deviceId, @Nullable String moduleId,
            Map<String, @Nullable String> properties) {
        return identityPrefix(deviceId, moduleId) + "/messages/devicebound/" + PropertyBag.encode(properties);
    }

    /** The topic of a twin GET request. */
    public static String twinGet(String requestId) {
        return "$iothub/twin/GET/?$rid=" + UrlEncoding.encode(requestId);
    }

    /** The topic of a reported-properties patch, with an optional expected version. */
    public static String reportedPatch(String requestId, @Nullable Long expectedVersion) {
        return "$iothub/twin/PATCH/properties/reported/?$rid=" + UrlEncoding.encode(requestId)
                + ((expectedVersion != null) ? "&$version=" + expectedVersion : "");
    }

    /** The topic of a twin response, with the new reported version after a successful patch. */
    public static String twinResponse(int status, String requestId, @Nullable Long version) {
        return "$iothub/twin/res/" + status + "/?$rid=" + UrlEncoding.encode(requestId)
                + ((version != null) ? "&$version=" + version : "");
    }

    /** The topic of a desired-properties change notification. */
    public static String desiredPatch(long version) {
        return "$iothub/twin/PATCH/properties/desired/?$version=" + version;
    }

    /** The topic of a direct-method request. */
    public static String methodRequest(String methodName, String requestId) {
        return "$iothub/methods/POST/" + methodName + "/?$rid=" + UrlEncoding.encode(requestId);
    }

    /** The topic of a direct-method response. */
    public static String methodResponse(int status, String requestId) {
        return "$iothub/methods/res/" + status + "/?$rid=" + UrlEncoding.encode(requestId);
    }

    static String identityPrefix(String deviceId, @Nullable String moduleId) {
        return appendIdentity(new StringBuilder(), deviceId, moduleId).toString();
    }

    /** Appends {@code devices/{deviceId}[/modules/{moduleId}]}, the identity part of a device's topics. */
    private static StringBuilder appendIdentity(StringBuilder topic, String deviceId, @Nullable String moduleId) {
        topic.append("devices/").append(deviceId);
        if (moduleId != null) {
            topic.append("/modules/").append(moduleId);
        }
        return topic;
    }

    /**
     * The query part after {@code ?}, decoded; empty when there is none.
     *
     * @throws IllegalArgumentException for a malformed percent-escape
     */
    static Map<String, @Nullable String> query(String topicTail) {
        int question = topicTail.indexOf('?');
        return (question < 0) ? PropertyBag.empty() : PropertyBag.decode(topicTail.substring(question + 1));
    }

    /** A non-negative decimal {@code $version}, or {@code null} for none or anything else. */
    static @Nullable Long parseVersion(@Nullable String text) {
        if (text == null || !text.matches("[0-9]{1,19}")) {
            return null;
        }
        try {
            return Long.valueOf(text);
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }
}
