package dev.iothub.emulator.hub;

import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The emulator's one JSON mapper and the conversions the hub needs.
 */
public final class Json {

    /** The shared, immutable mapper. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private Json() {
    }

    /** Parses JSON text, or returns {@code null} when it is not valid JSON. */
    public static JsonNode parseOrNull(String text) {
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
