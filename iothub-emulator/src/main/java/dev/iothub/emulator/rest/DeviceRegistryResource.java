package dev.iothub.emulator.rest;

import java.util.Comparator;
import java.util.List;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /devices}: create, read, list (sorted by id) and delete device identities, answering IoT Hub's device JSON
 * plus the emulator's {@code connectionString}. Module identities are not served here.
 */
final class DeviceRegistryResource {

    private final IotHubEmulator emulator;

    DeviceRegistryResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("GET", "/devices", (request) -> list())
            .add("PUT", "/devices/{id}", this::create)
            .add("GET", "/devices/{id}", (request) -> RestResponse.ok(read(request.pathVariable("id"))))
            .add("DELETE", "/devices/{id}", this::delete);
    }

    private RestResponse list() {
        ArrayNode devices = Json.MAPPER.createArrayNode();
        List<DeviceIdentity> identities = this.emulator.devices()
            .stream()
            .sorted(Comparator.comparing(DeviceIdentity::deviceId))
            .toList();
        for (DeviceIdentity identity : identities) {
            if (identity.moduleId() == null) {
                try {
                    devices.add(read(identity.deviceId()));
                }
                catch (IotHubServiceException deletedMeanwhile) {
                    // listed, then deleted by another request: leave it out
                }
            }
        }
        return RestResponse.ok(devices);
    }

    private RestResponse create(RestRequest request) {
        String deviceId = request.pathVariable("id");
        JsonNode body = request.jsonObjectBody();
        String primaryKey = null;
        if (body != null) {
            JsonNode bodyId = body.path("deviceId");
            if (!bodyId.isMissingNode() && !bodyId.isNull() && !deviceId.equals(bodyId.asString())) {
                throw RestRequest.invalid("The deviceId in the body does not match the one in the path");
            }
            JsonNode authentication = body.path("authentication");
            String type = authentication.path("type").asString("sas");
            if (!type.equalsIgnoreCase("sas")) {
                throw RestRequest.invalid("Only symmetric key (sas) authentication is emulated, not " + type);
            }
            JsonNode key = authentication.path("symmetricKey").path("primaryKey");
            if (!key.isMissingNode() && !key.isNull()) {
                if (!key.isString()) {
                    throw RestRequest.invalid("authentication.symmetricKey.primaryKey must be a Base64 string");
                }
                primaryKey = key.asString();
            }
        }
        this.emulator.registerDevice(deviceId, primaryKey);
        return RestResponse.ok(read(deviceId));
    }

    private RestResponse delete(RestRequest request) {
        this.emulator.removeDevice(requireDevice(request.pathVariable("id")).deviceId());
        return RestResponse.noContent();
    }

    private DeviceIdentity requireDevice(String deviceId) {
        DeviceIdentity identity = this.emulator.device(deviceId);
        if (identity.moduleId() != null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND,
                    "Device " + deviceId + " not found");
        }
        return identity;
    }

    private ObjectNode read(String deviceId) {
        DeviceIdentity identity = requireDevice(deviceId);
        ObjectNode device = Json.MAPPER.createObjectNode();
        device.put("deviceId", identity.deviceId());
        device.put("status", "enabled");
        device.put("connectionState", this.emulator.isConnected(deviceId) ? "Connected" : "Disconnected");
        device.put("cloudToDeviceMessageCount", this.emulator.pendingCloudToDevice(deviceId));
        ObjectNode authentication = device.putObject("authentication");
        authentication.put("type", "sas");
        authentication.putObject("symmetricKey")
            .put("primaryKey", identity.primaryKey())
            .put("secondaryKey", identity.secondaryKey());
        device.put("connectionString", this.emulator.connectionString(deviceId));
        return device;
    }
}
