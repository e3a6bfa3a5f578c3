package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.iothub.protocol.SystemProperties;

/**
 * A cloud-to-device message as received.
 *
 * @param topic the MQTT topic it arrived on
 * @param payload the body
 * @param properties the decoded property bag: system properties under their {@code $.} keys (see
 * {@link SystemProperties}) and application properties under their own names; values may be {@code null}
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record CloudToDeviceMessage(String topic, byte[] payload, Map<String, @Nullable String> properties) {

    /** The message id ({@code $.mid}). */
    public @Nullable String messageId() {
        return this.properties.get(SystemProperties.MESSAGE_ID);
    }

    /** The correlation id ({@code $.cid}). */
    public @Nullable String correlationId() {
        return this.properties.get(SystemProperties.CORRELATION_ID);
    }

    /** The content type ({@code $.ct}). */
    public @Nullable String contentType() {
        return this.properties.get(SystemProperties.CONTENT_TYPE);
    }

    /** The content encoding ({@code $.ce}). */
    public @Nullable String contentEncoding() {
        return this.properties.get(SystemProperties.CONTENT_ENCODING);
    }

    /** The application properties: every property that is not a {@code $.} system property. */
    public Map<String, @Nullable String> applicationProperties() {
        Map<String, @Nullable String> application = new LinkedHashMap<>();
        this.properties.forEach((key, value) -> {
            if (!SystemProperties.isSystemProperty(key)) {
                application.put(key, value);
            }
        });
        return application;
    }

    /** The body decoded as UTF-8. */
    public String payloadAsString() {
        return new String(this.payload, StandardCharsets.UTF_8);
    }

}
