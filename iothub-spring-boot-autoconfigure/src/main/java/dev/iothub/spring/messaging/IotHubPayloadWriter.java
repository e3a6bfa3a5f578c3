package dev.iothub.spring.messaging;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the objects an application sends into message bodies, the one place that rule lives: telemetry and
 * reported-property patches take bytes as they are, a {@code String} as UTF-8 and anything else as JSON; bodies
 * that must be JSON (direct-method answers, desired-property values) take bytes as they are and anything else, a
 * {@code String} too, as JSON.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public final class IotHubPayloadWriter {

    private static final String JSON = "application/json";

    private static final String UTF_8 = "utf-8";

    private static final byte[] EMPTY = new byte[0];

    private final JsonMapper jsonMapper;

    /**
     * Creates a writer.
     *
     * @param jsonMapper writes the objects that are neither bytes nor text
     */
    public IotHubPayloadWriter(JsonMapper jsonMapper) {
        this.jsonMapper = jsonMapper;
    }

    /**
     * Writes a payload: bytes as they are, a {@code String} as UTF-8, anything else as JSON.
     *
     * @throws tools.jackson.core.JacksonException if Jackson cannot write the object
     */
    public Body write(Object payload) {
        if (payload instanceof byte[] bytes) {
            return new Body(bytes, null, null);
        }
        if (payload instanceof String text) {
            return new Body(text.getBytes(StandardCharsets.UTF_8), null, UTF_8);
        }
        return new Body(this.jsonMapper.writeValueAsBytes(payload), JSON, UTF_8);
    }

    /**
     * Writes a body that must be JSON: nothing for {@code null}, bytes as they are (they must be JSON already),
     * anything else as JSON, so a {@code String} becomes a JSON string.
     *
     * @throws tools.jackson.core.JacksonException if Jackson cannot write the object
     */
    public byte[] writeJson(@Nullable Object value) {
        if (value == null) {
            return EMPTY;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        return this.jsonMapper.writeValueAsBytes(value);
    }

    /**
     * A written payload.
     *
     * @param bytes the body
     * @param contentType the content type the body has, {@code null} when unknown (bytes, text)
     * @param contentEncoding the encoding of text bodies, {@code null} for bytes
     */
    public record Body(byte[] bytes, @Nullable String contentType, @Nullable String contentEncoding) {
    }

}
