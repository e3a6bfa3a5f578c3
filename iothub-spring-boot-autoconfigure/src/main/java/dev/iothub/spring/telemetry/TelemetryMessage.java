package dev.iothub.spring.telemetry;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A telemetry message: a payload with application properties and the IoT Hub system properties a device may set.
 * <p>
 * The payload is sent as is when it is a {@code byte[]}, as UTF-8 when it is a {@code String} and as JSON (with
 * content type {@code application/json} and encoding {@code utf-8}, so that hub routing can query the body)
 * otherwise (see {@link dev.iothub.spring.messaging.IotHubPayloadWriter}).
 *
 * <pre class="code">
 * TelemetryMessage message = TelemetryMessage.builder(new Reading(21.5))
 *         .property("alert", "false")
 *         .messageId("m-42")
 *         .component("thermostat1")
 *         .build();
 * </pre>
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public final class TelemetryMessage {

    private final Object payload;

    private final Map<String, String> properties;

    private final @Nullable String messageId;

    private final @Nullable String correlationId;

    private final @Nullable String contentType;

    private final @Nullable String contentEncoding;

    private final @Nullable Instant creationTime;

    private final @Nullable String component;

    private TelemetryMessage(Builder builder) {
        this.payload = builder.payload;
        this.properties = builder.properties.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(builder.properties));
        this.messageId = builder.messageId;
        this.correlationId = builder.correlationId;
        this.contentType = builder.contentType;
        this.contentEncoding = builder.contentEncoding;
        this.creationTime = builder.creationTime;
        this.component = builder.component;
    }

    /** A message with only a payload. */
    public static TelemetryMessage of(Object payload) {
        return builder(payload).build();
    }

    /** Starts a message with the given payload. */
    public static Builder builder(Object payload) {
        return new Builder(payload);
    }

    public Object getPayload() {
        return this.payload;
    }

    public Map<String, String> getProperties() {
        return this.properties;
    }

    public @Nullable String getMessageId() {
        return this.messageId;
    }

    public @Nullable String getCorrelationId() {
        return this.correlationId;
    }

    public @Nullable String getContentType() {
        return this.contentType;
    }

    public @Nullable String getContentEncoding() {
        return this.contentEncoding;
    }

    public @Nullable Instant getCreationTime() {
        return this.creationTime;
    }

    public @Nullable String getComponent() {
        return this.component;
    }

    /**
     * Builds a {@link TelemetryMessage}.
     */
    public static final class Builder {

        private final Object payload;

        private final Map<String, String> properties = new LinkedHashMap<>();

        private @Nullable String messageId;

        private @Nullable String correlationId;

        private @Nullable String contentType;

        private @Nullable String contentEncoding;

        private @Nullable Instant creationTime;

        private @Nullable String component;

        private Builder(Object payload) {
            if (payload == null) {
                throw new IllegalArgumentException("A telemetry payload is required");
            }
            this.payload = payload;
        }

        /**
         * Adds an application property.
         *
         * @throws IllegalArgumentException for names IoT Hub reserves ({@code $...}, {@code iothub-...})
         */
        public Builder property(String name, String value) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.isEmpty() || name.startsWith("$") || lower.startsWith("iothub-")) {
                throw new IllegalArgumentException("'" + name + "' is reserved by IoT Hub; choose another name");
            }
            this.properties.put(name, value);
            return this;
        }

        /** Adds application properties. */
        public Builder properties(Map<String, String> properties) {
            properties.forEach(this::property);
            return this;
        }

        /** Sets the message id ({@code $.mid}). */
        public Builder messageId(@Nullable String messageId) {
            this.messageId = messageId;
            return this;
        }

        /** Sets the correlation id ({@code $.cid}). */
        public Builder correlationId(@Nullable String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        /** Sets the content type ({@code $.ct}), overriding the one derived from the payload. */
        public Builder contentType(@Nullable String contentType) {
            this.contentType = contentType;
            return this;
        }

        /** Sets the content encoding ({@code $.ce}), overriding the one derived from the payload. */
        public Builder contentEncoding(@Nullable String contentEncoding) {
            this.contentEncoding = contentEncoding;
            return this;
        }

        /** Sets the creation time ({@code $.ctime}). */
        public Builder creationTime(@Nullable Instant creationTime) {
            this.creationTime = creationTime;
            return this;
        }

        /** Sets the IoT Plug and Play component ({@code $.sub}); the hub stamps it as {@code dt-subject}. */
        public Builder component(@Nullable String component) {
            this.component = component;
            return this;
        }

        public TelemetryMessage build() {
            return new TelemetryMessage(this);
        }

    }

}
