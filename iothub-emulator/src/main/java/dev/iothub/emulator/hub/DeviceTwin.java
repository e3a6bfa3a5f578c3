package dev.iothub.emulator.hub;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One identity's twin properties with their versions. Patches merge recursively and {@code null} deletes a member.
 * Guarded by its owning {@link DeviceState}.
 */
final class DeviceTwin {

    private final ObjectNode desired = Json.MAPPER.createObjectNode();

    private final ObjectNode reported = Json.MAPPER.createObjectNode();

    private long desiredVersion = 1;

    private long reportedVersion = 1;

    /** The document a device receives for a GET: {@code {"desired":{..,"$version":n},"reported":{..,"$version":m}}}. */
    ObjectNode deviceView() {
        ObjectNode view = Json.MAPPER.createObjectNode();
        view.set("desired", this.desired.deepCopy().put("$version", this.desiredVersion));
        view.set("reported", this.reported.deepCopy().put("$version", this.reportedVersion));
        return view;
    }

    long desiredVersion() {
        return this.desiredVersion;
    }

    long reportedVersion() {
        return this.reportedVersion;
    }

    Map<String, Object> desired() {
        return Json.toMap(this.desired);
    }

    Map<String, Object> reported() {
        return Json.toMap(this.reported);
    }

    /**
     * Applies a desired patch and returns the notification body: the patch with the new {@code $version}.
     *
     * @throws IllegalArgumentException when the result would break {@link TwinLimits}; the twin is unchanged
     */
    ObjectNode patchDesired(ObjectNode patch) {
        mergeWithinLimits("desired", this.desired, patch);
        this.desiredVersion++;
        return patch.deepCopy().put("$version", this.desiredVersion);
    }

    /**
     * Applies a reported patch and returns the new reported version.
     *
     * @throws IllegalArgumentException when the result would break {@link TwinLimits}; the twin is unchanged
     */
    long patchReported(ObjectNode patch) {
        mergeWithinLimits("reported", this.reported, patch);
        return ++this.reportedVersion;
    }

    private static void mergeWithinLimits(String section, ObjectNode target, ObjectNode patch) {
        String refusal = TwinLimits.checkPatch(section, patch);
        if (refusal == null) {
            ObjectNode merged = target.deepCopy();
            merge(merged, patch);
            refusal = TwinLimits.checkSection(section, merged);
        }
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        merge(target, patch);
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            JsonNode value = member.getValue();
            JsonNode existing = target.get(member.getKey());
            if (value.isNull()) {
                target.remove(member.getKey());
            }
            else if (value.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, (ObjectNode) value);
            }
            else if (value.isObject()) {
                ObjectNode created = target.putObject(member.getKey());
                merge(created, (ObjectNode) value);
            }
            else {
                target.set(member.getKey(), value.deepCopy());
            }
        }
    }
}
