package dev.iothub.spring.messaging;

/**
 * Names of the message headers used with IoT Hub: set on telemetry sent through the telemetry channel, and read with
 * {@code @Header} in handlers.
 * <p>
 * On a received cloud-to-device message the content type ({@code $.ct}) is the standard {@code contentType} header,
 * and every application property is in {@link #APPLICATION_PROPERTIES}. An application property is also a header
 * under its own name ({@code @Header("priority")}), unless it has no value or its name is one of the headers the
 * framework owns: {@code id}, {@code timestamp}, {@code contentType}, {@code replyChannel}, {@code errorChannel} and
 * every {@code iothub_} name. Those are only in {@link #APPLICATION_PROPERTIES} (and {@link #PROPERTY_BAG}), so
 * that what the sender chose cannot replace the message id, the content type or the headers below.
 */
public final class IotHubHeaders {

    /** The direct method's name (String). */
    public static final String METHOD_NAME = "iothub_methodName";

    /** The direct method's request id, {@code $rid} (String). */
    public static final String REQUEST_ID = "iothub_requestId";

    /** The desired properties' {@code $version} (long). */
    public static final String TWIN_VERSION = "iothub_twinVersion";

    /** The dotted path of the desired property a listener receives (String). */
    public static final String DESIRED_PROPERTY = "iothub_desiredProperty";

    /** The message id, {@code $.mid} (String). */
    public static final String MESSAGE_ID = "iothub_messageId";

    /** The correlation id, {@code $.cid} (String). */
    public static final String CORRELATION_ID = "iothub_correlationId";

    /** The content encoding, {@code $.ce} (String). */
    public static final String CONTENT_ENCODING = "iothub_contentEncoding";

    /** The IoT Plug and Play component of telemetry, {@code $.sub} (String). */
    public static final String COMPONENT = "iothub_component";

    /** The creation time of telemetry, {@code $.ctime} ({@link java.time.Instant}). */
    public static final String CREATION_TIME = "iothub_creationTime";

    /**
     * Application properties ({@code Map<String, String>}): those to send with telemetry; on a received
     * cloud-to-device message the whole property bag, system keys ({@code $.mid} ...) included.
     * @deprecated since 0.1.0 for removal, because it means one thing on the way in and another on the way out:
     * use {@link #APPLICATION_PROPERTIES} for the properties to send with telemetry (this header is still read when
     * that one is absent), and {@link #PROPERTY_BAG} for the whole bag of a received message (this header still
     * carries it too)
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public static final String PROPERTIES = "iothub_properties";

    /**
     * Application properties ({@code Map<String, String>}, values may be {@code null} on a received message): those
     * to send with telemetry, and on a received cloud-to-device message every property of the bag that is not a
     * {@code $.} system property.
     */
    public static final String APPLICATION_PROPERTIES = "iothub_applicationProperties";

    /**
     * The whole property bag of a received cloud-to-device message ({@code Map<String, String>}): system properties
     * under their {@code $.} keys and application properties under their own names; a property without a value
     * ({@code key}) is {@code null}, an empty one ({@code key=}) is {@code ""}.
     */
    public static final String PROPERTY_BAG = "iothub_propertyBag";

    /** Which attempt at handling a cloud-to-device message this is, from 1 (int). */
    public static final String DELIVERY_ATTEMPT = "iothub_deliveryAttempt";

    private IotHubHeaders() {
    }

}
