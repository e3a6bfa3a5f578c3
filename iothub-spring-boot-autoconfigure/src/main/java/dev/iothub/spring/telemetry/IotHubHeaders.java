package dev.iothub.spring.telemetry;

/**
 * Spring Integration message headers read by {@link TelemetryMessageHandler}. The content type comes from the
 * standard {@code contentType} header.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public final class IotHubHeaders {

    /** Header with the message id ({@code $.mid}). */
    public static final String MESSAGE_ID = "iothub_messageId";

    /** Header with the correlation id ({@code $.cid}). */
    public static final String CORRELATION_ID = "iothub_correlationId";

    /** Header with the content encoding ({@code $.ce}). */
    public static final String CONTENT_ENCODING = "iothub_contentEncoding";

    /** Header with the IoT Plug and Play component ({@code $.sub}). */
    public static final String COMPONENT = "iothub_component";

    /** Header with the creation time, an {@link java.time.Instant} ({@code $.ctime}). */
    public static final String CREATION_TIME = "iothub_creationTime";

    /** Header with application properties, a {@code Map<String, String>}. */
    public static final String PROPERTIES = "iothub_properties";

    private IotHubHeaders() {
    }

}
