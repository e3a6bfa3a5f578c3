package dev.iothub.emulator.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.TwinSnapshot;
import dev.iothub.emulator.hub.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /twins/{deviceId}[/modules/{moduleId}]}: reads a twin in IoT Hub's shape and patches its desired properties,
 * which notifies the device. The twin's {@code etag} changes with its desired and reported versions; a patch with an
 * {@code If-Match} other than {@code *} or the current etag fails with {@code 412}.
 * Tags are not emulated: a patch's {@code tags} are ignored.
 */
final class TwinResource {

    /** IoT Hub's error code for an {@code If-Match} that is not the current etag. */
    static final int PRECONDITION_FAILED = 412002;

    private final IotHubEmulator emulator;

    TwinResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("GET", "/twins/{deviceId}", this::get)
            .add("PATCH", "/twins/{deviceId}", this::patch)
            .add("GET", "/twins/{deviceId}/modules/{moduleId}", this::get)
            .add("PATCH", "/twins/{deviceId}/modules/{moduleId}", this::patch);
    }

    private RestResponse get(RestRequest request) {
        return RestResponse.ok(document(request.identityId()));
    }

    private RestResponse patch(RestRequest request) {
        String id = request.identityId();
        this.emulator.device(id);
        String ifMatch = request.header("if-match");
        if (ifMatch != null && !ifMatch.strip().equals("*")
                && !ifMatch.strip().replace("\"", "").equals(etag(this.emulator.twin(id)))) {
            throw new IotHubServiceException(PRECONDITION_FAILED, "The twin changed: If-Match " + ifMatch
                    + " is not its etag");
        }
        JsonNode properties = request.requiredJsonObjectBody().path("properties");
        if (properties.has("reported")) {
            throw RestRequest.invalid("Reported properties are read-only for the service");
        }
        JsonNode desired = properties.path("desired");
        if (!desired.isObject()) {
            throw RestRequest.invalid("The patch needs an object at properties.desired");
        }
        ObjectNode patch = ((ObjectNode) desired).deepCopy();
        patch.remove("$version");
        patch.remove("$metadata");
        rejectDollarNames(patch);
        this.emulator.patchDesired(id, Json.toMap(patch));
        return RestResponse.ok(document(id));
    }

    /** The twin of a device or module in IoT Hub's shape, as {@code GET} answers it. */
    ObjectNode document(String id) {
        TwinSnapshot twin = this.emulator.twin(id);
        DeviceIdentity identity = this.emulator.device(id);
        ObjectNode document = Json.MAPPER.createObjectNode();
        document.put("deviceId", identity.deviceId());
        if (identity.moduleId() != null) {
            document.put("moduleId", identity.moduleId());
        }
        document.put("etag", etag(twin));
        document.put("version", twin.desiredVersion() + twin.reportedVersion());
        document.put("connectionState", this.emulator.isConnected(id) ? "Connected" : "Disconnected");
        ObjectNode properties = document.putObject("properties");
        properties.set("desired", withVersion(twin.desired(), twin.desiredVersion()));
        properties.set("reported", withVersion(twin.reported(), twin.reportedVersion()));
        return document;
    }

    private static String etag(TwinSnapshot twin) {
        return Base64.getEncoder().encodeToString((twin.desiredVersion() + "-" + twin.reportedVersion())
            .getBytes(StandardCharsets.US_ASCII));
    }

    private static ObjectNode withVersion(Map<String, Object> values, long version) {
        ObjectNode node = Json.MAPPER.valueToTree(values);
        return node.put("$version", version);
    }

    private static void rejectDollarNames(JsonNode patch) {
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            if (member.getKey().startsWith("$")) {
                throw RestRequest.invalid("Property names must not start with '$': " + member.getKey());
            }
            if (member.getValue().isObject()) {
                rejectDollarNames(member.getValue());
            }
        }
    }
}
