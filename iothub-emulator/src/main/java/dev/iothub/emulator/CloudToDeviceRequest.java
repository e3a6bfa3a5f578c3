package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.iothub.protocol.SystemProperties;
import org.jspecify.annotations.Nullable;

/**
 * A cloud-to-device message to send to a device: a body, optional system properties and application properties.
 * Application property values may be {@code null} or empty; they are delivered as {@code key} and {@code key=}.
 */
public final class CloudToDeviceRequest {

    private final byte[] body;

    private @Nullable String messageId;

    private @Nullable String correlationId;

    private @Nullable String contentType;

    private @Nullable String contentEncoding;

    private final Map<String, @Nullable String> properties = new LinkedHashMap<>();

    private CloudToDeviceRequest(byte[] body) {
        this.body = body.clone();
    }

    /** A message with a binary body. */
    public static CloudToDeviceRequest of(byte[] body) {
        return new CloudToDeviceRequest(body);
    }

    /** A message with a UTF-8 text body. */
    public static CloudToDeviceRequest of(String body) {
        return new CloudToDeviceRequest(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets the message id ({@code $.mid}), or none for {@code null}; a random one is assigned when none is set. */
    public CloudToDeviceRequest messageId(@Nullable String messageId) {
        this.messageId = messageId;
        return this;
    }

    /** Sets the correlation id ({@code $.cid}), or none for {@code null}. */
    public CloudToDeviceRequest correlationId(@Nullable String correlationId) {
        this.correlationId = correlationId;
        return this;
    }

    /** Sets the content type ({@code $.ct}), e.g. {@code application/json}, or none for {@code null}. */
    public CloudToDeviceRequest contentType(@Nullable String contentType) {
        this.contentType = contentType;
        return this;
    }

    /** Sets the content encoding ({@code $.ce}), e.g. {@code utf-8}, or none for {@code null}. */
    public CloudToDeviceRequest contentEncoding(@Nullable String contentEncoding) {
        this.contentEncoding = contentEncoding;
        return this;
    }

    /** Adds an application property; the value may be {@code null}. */
    public CloudToDeviceRequest property(String name, @Nullable String value) {
        this.properties.put(name, value);
        return this;
    }

    /** The body. */
    public byte[] body() {
        return this.body.clone();
    }

    /** The message id, or {@code null} when none was set. */
    public @Nullable String messageId() {
        return this.messageId;
    }

    /** The application properties. */
    public Map<String, @Nullable String> properties() {
        return Collections.unmodifiableMap(this.properties);
    }

    /** The size IoT Hub counts against its limit: the body plus every property name and value. */
    int size() {
        int size = this.body.length;
        for (@Nullable String value : new @Nullable String[] { this.messageId, this.correlationId, this.contentType,
                this.contentEncoding }) {
            size += (value != null) ? value.length() : 0;
        }
        for (Map.Entry<String, @Nullable String> property : this.properties.entrySet()) {
            size += property.getKey().length() + ((property.getValue() != null) ? property.getValue().length() : 0);
        }
        return size;
    }

    /** The property bag as delivered: system properties first ({@code $.mid}, {@code $.to}, ...), then the rest. */
    Map<String, @Nullable String> bag(String messageId, String deviceId) {
        Map<String, @Nullable String> bag = new LinkedHashMap<>();
        bag.put(SystemProperties.MESSAGE_ID, messageId);
        bag.put(SystemProperties.TO, "/devices/" + deviceId + "/messages/devicebound");
        putIfSet(bag, SystemProperties.CORRELATION_ID, this.correlationId);
        putIfSet(bag, SystemProperties.CONTENT_TYPE, this.contentType);
        putIfSet(bag, SystemProperties.CONTENT_ENCODING, this.contentEncoding);
        bag.putAll(this.properties);
        return bag;
    }

    private static void putIfSet(Map<String, @Nullable String> bag, String key, @Nullable String value) {
        if (value != null) {
            bag.put(key, value);
        }
    }
}
