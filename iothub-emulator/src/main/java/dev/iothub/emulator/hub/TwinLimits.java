package dev.iothub.emulator.hub;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * IoT Hub's limits for a twin's desired and reported sections: at most 32 KB each (counted as the compact JSON's
 * characters, without {@code $version} and {@code $metadata}) and objects nested at most 10 deep below the section.
 * A change that would break them is refused and leaves the twin as it was.
 */
final class TwinLimits {

    /** IoT Hub's limit for the desired section, and for the reported one. */
    static final int MAX_SECTION_CHARACTERS = 32 * 1024;

    /** IoT Hub's limit for the nesting of objects (and, here, arrays) below a section. */
    static final int MAX_DEPTH = 10;

    private TwinLimits() {
    }

    /** Why a patch is refused before it is applied, or {@code null}: only its depth can be judged alone. */
    static @Nullable String checkPatch(String section, JsonNode patch) {
        return (depth(patch) > MAX_DEPTH) ? "The " + section + " properties must not nest objects more than "
                + MAX_DEPTH + " deep" : null;
    }

    /** Why a section as it would be after a patch is refused, or {@code null}. */
    static @Nullable String checkSection(String section, JsonNode merged) {
        int characters = Json.MAPPER.writeValueAsString(merged).length();
        return (characters > MAX_SECTION_CHARACTERS) ? "The " + section + " properties would take " + characters
                + " characters, over IoT Hub's limit of " + MAX_SECTION_CHARACTERS : null;
    }

    /** How deep containers nest below this node: 0 for a value or an empty-of-containers object. */
    private static int depth(JsonNode node) {
        int deepest = 0;
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (member.getValue().isContainer()) {
                    deepest = Math.max(deepest, 1 + depth(member.getValue()));
                }
            }
        }
        else if (node.isArray()) {
            for (JsonNode element : node) {
                if (element.isContainer()) {
                    deepest = Math.max(deepest, 1 + depth(element));
                }
            }
        }
        return deepest;
    }
}
