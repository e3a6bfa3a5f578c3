package dev.iothub.emulator.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /devices} and {@code /devices/{deviceId}/modules}: create, read, list (sorted by id) and delete device and
 * module identities, answering IoT Hub's device or module JSON plus the emulator's {@code connectionString} and
 * {@code connectedVia} (the device endpoint of the live connection, {@code mqtt} or {@code mqtt-ws}; {@code null}
 * when disconnected).
 */
final class DeviceRegistryResource {

    private final IotHubEmulator emulator;

    DeviceRegistryResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("GET", "/devices", (request) -> list((identity) -> identity.moduleId() == null))
            .add("PUT", "/devices/{deviceId}", this::createDevice)
            .add("GET", "/devices/{deviceId}", (request) -> RestResponse.ok(read(request)))
            .add("DELETE", "/devices/{deviceId}", this::deleteDevice)
            .add("GET", "/devices/{deviceId}/modules", this::listModules)
            .add("PUT", "/devices/{deviceId}/modules/{moduleId}", this::createModule)
            .add("GET", "/devices/{deviceId}/modules/{moduleId}", (request) -> RestResponse.ok(read(request)))
            .add("DELETE", "/devices/{deviceId}/modules/{moduleId}", this::deleteModule);
    }

    private RestResponse list(Predicate<DeviceIdentity> filter) {
        ArrayNode identities = Json.MAPPER.createArrayNode();
        this.emulator.devices()
            .stream()
            .filter(filter)
            .sorted(Comparator.comparing(DeviceIdentity::id))
            .forEach((identity) -> {
                try {
                    identities.add(toJson(identity));
                }
                catch (IotHubServiceException deletedMeanwhile) {
                    // listed, then deleted by another request: leave it out
                }
            });
        return RestResponse.ok(identities);
    }

    private RestResponse listModules(RestRequest request) {
        String deviceId = this.emulator.device(request.identityId()).deviceId();
        return list((identity) -> identity.moduleId() != null && identity.deviceId().equals(deviceId));
    }

    private RestResponse createDevice(RestRequest request) {
        JsonNode body = request.jsonObjectBody();
        String primaryKey = null;
        if (body != null) {
            requireSameId(body, "deviceId", request.pathVariable("deviceId"));
            primaryKey = primaryKey(body);
        }
        this.emulator.registerDevice(request.pathVariable("deviceId"), primaryKey);
        return RestResponse.ok(read(request));
    }

    private RestResponse createModule(RestRequest request) {
        JsonNode body = request.jsonObjectBody();
        String primaryKey = null;
        if (body != null) {
            requireSameId(body, "deviceId", request.pathVariable("deviceId"));
            requireSameId(body, "moduleId", request.pathVariable("moduleId"));
            primaryKey = primaryKey(body);
        }
        String deviceId = request.pathVariable("deviceId");
        this.emulator.device(deviceId);
        this.emulator.registerModule(deviceId, request.pathVariable("moduleId"), primaryKey);
        return RestResponse.ok(read(request));
    }

    /** The primary key a create request sets (the official SDK sends keys it generated), or {@code null}. */
    private static @Nullable String primaryKey(JsonNode body) {
        JsonNode authentication = body.path("authentication");
        String type = authentication.path("type").asString("sas");
        if (!type.equalsIgnoreCase("sas")) {
            throw RestRequest.invalid("Only symmetric key (sas) authentication is emulated, not " + type);
        }
        JsonNode key = authentication.path("symmetricKey").path("primaryKey");
        if (key.isMissingNode() || key.isNull()) {
            return null;
        }
        if (!key.isString()) {
            throw RestRequest.invalid("authentication.symmetricKey.primaryKey must be a Base64 string");
        }
        return key.asString();
    }

    private RestResponse deleteDevice(RestRequest request) {
        this.emulator.removeDevice(this.emulator.device(request.identityId()).deviceId());
        return RestResponse.noContent();
    }

    private RestResponse deleteModule(RestRequest request) {
        this.emulator.removeDevice(request.identityId());
        return RestResponse.noContent();
    }

    private ObjectNode read(RestRequest request) {
        return toJson(this.emulator.device(request.identityId()));
    }

    private ObjectNode toJson(DeviceIdentity identity) {
        String id = identity.id();
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("deviceId", identity.deviceId());
        node.put("etag", etag(identity));
        if (identity.moduleId() != null) {
            node.put("moduleId", identity.moduleId());
        }
        else {
            node.put("status", "enabled");
        }
        DeviceEndpoint endpoint = this.emulator.connectedVia(id).orElse(null);
        node.put("connectionState", (endpoint != null) ? "Connected" : "Disconnected");
        node.put("connectedVia", (endpoint != null) ? endpoint.wireName() : null);
        if (identity.moduleId() == null) {
            node.put("cloudToDeviceMessageCount", this.emulator.pendingCloudToDevice(id));
        }
        ObjectNode authentication = node.putObject("authentication");
        authentication.put("type", "sas");
        authentication.putObject("symmetricKey")
            .put("primaryKey", identity.primaryKey())
            .put("secondaryKey", identity.secondaryKey());
        node.put("connectionString", this.emulator.connectionString(id));
        return node;
    }

    /** A tag that changes when the identity does (it changes only by being recreated, with new keys). */
    private static String etag(DeviceIdentity identity) {
        String version = Integer.toHexString((identity.id() + "\n" + identity.primaryKey()).hashCode());
        return Base64.getEncoder().encodeToString(version.getBytes(StandardCharsets.US_ASCII));
    }

    private static void requireSameId(JsonNode body, String name, String inPath) {
        JsonNode inBody = body.path(name);
        if (!inBody.isMissingNode() && !inBody.isNull() && !inPath.equals(inBody.asString())) {
            throw RestRequest.invalid("The " + name + " in the body does not match the one in the path");
        }
    }
}
