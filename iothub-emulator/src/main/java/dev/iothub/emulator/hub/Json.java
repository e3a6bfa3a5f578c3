package dev.iothub.emulator.hub;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.jspecify.annotations.Nullable;

/**
 * The emulator's one JSON mapper and the conversions the hub needs.
 * <p>
 * It reads documents nested at most {@value #MAX_READ_DEPTH} deep and writes up to {@value #MAX_WRITE_DEPTH}: whatever
 * it parsed can still be written when the emulator wraps it in its own answers (a method payload in
 * {@code {"status":..,"payload":..}}, a twin in its REST document), instead of failing only when written.
 */
public final class Json {

    /** The deepest nesting parsed. */
    public static final int MAX_READ_DEPTH = 200;

    /** The deepest nesting written: the read limit plus room for the emulator's wrapping. */
    public static final int MAX_WRITE_DEPTH = MAX_READ_DEPTH + 32;

    /** The shared, immutable mapper. */
    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_READ_DEPTH).build())
        .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_WRITE_DEPTH).build())
        .build()).build();

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    /** Parses JSON text, or returns {@code null} when it is not valid JSON. */
    public static @Nullable JsonNode parseOrNull(String text) {
        try {
            return MAPPER.readTree(text);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** Converts a JSON object to a map of plain Java values. */
    public static Map<String, Object> toMap(JsonNode node) {
        return MAPPER.convertValue(node, MAP);
    }
}
