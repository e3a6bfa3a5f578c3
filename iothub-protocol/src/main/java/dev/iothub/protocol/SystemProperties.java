package dev.iothub.protocol;

import java.util.Map;

/**
 * The {@code $.}-prefixed keys of IoT Hub system properties in a property bag, and the service-side names they map to.
 */
public final class SystemProperties {

    /** Message id ({@code iothub-messageid} / {@code message-id}). */
    public static final String MESSAGE_ID = "$.mid";
    /** Correlation id. */
    public static final String CORRELATION_ID = "$.cid";
    /** User id. */
    public static final String USER_ID = "$.uid";
    /** Destination ({@code /devices/{id}/messages/devicebound} on cloud-to-device messages). */
    public static final String TO = "$.to";
    /** Absolute expiry time. */
    public static final String EXPIRY = "$.exp";
    /** Output name (IoT Edge routing). */
    public static final String OUTPUT_NAME = "$.on";
    /** Connection device id as claimed by the device. */
    public static final String CONNECTION_DEVICE_ID = "$.cdid";
    /** Connection module id as claimed by the device. */
    public static final String CONNECTION_MODULE_ID = "$.cmid";
    /** Content type, e.g. {@code application/json}. */
    public static final String CONTENT_TYPE = "$.ct";
    /** Content encoding, e.g. {@code utf-8}. */
    public static final String CONTENT_ENCODING = "$.ce";
    /** Creation time (UTC, ISO-8601). */
    public static final String CREATION_TIME = "$.ctime";
    /** Interface id (security messages). */
    public static final String INTERFACE_ID = "$.ifid";
    /** IoT Plug and Play component name; the hub stamps {@code dt-subject}. */
    public static final String COMPONENT = "$.sub";

    private static final Map<String, String> SERVICE_NAMES = Map.ofEntries(
            Map.entry(MESSAGE_ID, "message-id"),
            Map.entry(CORRELATION_ID, "correlation-id"),
            Map.entry(USER_ID, "user-id"),
            Map.entry(TO, "to"),
            Map.entry(EXPIRY, "absolute-expiry-time"),
            Map.entry(OUTPUT_NAME, "iothub-outputname"),
            Map.entry(CONNECTION_DEVICE_ID, "connection-device-id"),
            Map.entry(CONNECTION_MODULE_ID, "connection-module-id"),
            Map.entry(CONTENT_TYPE, "content-type"),
            Map.entry(CONTENT_ENCODING, "content-encoding"),
            Map.entry(CREATION_TIME, "iothub-creation-time-utc"),
            Map.entry(INTERFACE_ID, "iothub-interface-id"),
            Map.entry(COMPONENT, "dt-subject"));

    private SystemProperties() {
    }

    /** Whether a decoded bag key names a system property. */
    public static boolean isSystemProperty(String key) {
        return key.startsWith("$.");
    }

    /**
     * The name the service side uses for a system property key, e.g. {@code content-type} for {@code $.ct};
     * an unknown {@code $.} key keeps its name.
     */
    public static String serviceName(String key) {
        return SERVICE_NAMES.getOrDefault(key, key);
    }
}
