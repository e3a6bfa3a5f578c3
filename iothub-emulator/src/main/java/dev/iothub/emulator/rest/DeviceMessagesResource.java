package dev.iothub.emulator.rest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.iothub.emulator.CloudToDeviceMessage;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.TelemetryMessage;
import dev.iothub.emulator.hub.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Emulator-only endpoints with no IoT Hub REST counterpart (there, these go over AMQP and the Event Hubs endpoint):
 * send a cloud-to-device message to a device, read the telemetry received from a device or module, and drop its
 * connection.
 */
final class DeviceMessagesResource {

    /**
     * Prefix of the request headers that carry application properties of a cloud-to-device message. Header names
     * are case-insensitive, so the property names are taken in lower case.
     */
    static final String APP_PROPERTY_PREFIX = "iothub-app-";

    private final IotHubEmulator emulator;

    DeviceMessagesResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("POST", "/devices/{deviceId}/messages/deviceBound", this::sendToDevice)
            .add("GET", "/devices/{deviceId}/messages/events", this::receivedTelemetry)
            .add("GET", "/devices/{deviceId}/modules/{moduleId}/messages/events", this::receivedTelemetry)
            .add("POST", "/devices/{deviceId}/disconnect", this::disconnect)
            .add("POST", "/devices/{deviceId}/modules/{moduleId}/disconnect", this::disconnect);
    }

    private RestResponse sendToDevice(RestRequest request) {
        CloudToDeviceMessage message = CloudToDeviceMessage.of(request.body())
            .messageId(request.header("iothub-messageid"))
            .correlationId(request.header("iothub-correlationid"))
            .contentType(request.header("content-type"))
            .contentEncoding(request.header("content-encoding"));
        request.headers().forEach((name, values) -> {
            if (name.toLowerCase(Locale.ROOT).startsWith(APP_PROPERTY_PREFIX)
                    && name.length() > APP_PROPERTY_PREFIX.length()) {
                message.property(name.substring(APP_PROPERTY_PREFIX.length()).toLowerCase(Locale.ROOT),
                        values.isEmpty() ? null : values.get(0));
            }
        });
        String messageId = this.emulator.sendCloudToDevice(request.identityId(), message);
        return RestResponse.noContent(Map.of("iothub-messageid", messageId));
    }

    private RestResponse receivedTelemetry(RestRequest request) {
        String id = request.identityId();
        this.emulator.device(id);
        List<TelemetryMessage> received = this.emulator.telemetry(id);
        ArrayNode messages = Json.MAPPER.createArrayNode();
        received.forEach((message) -> messages.add(toJson(message)));
        return RestResponse.ok(messages);
    }

    private RestResponse disconnect(RestRequest request) {
        this.emulator.disconnect(request.identityId());
        return RestResponse.noContent();
    }

    private static ObjectNode toJson(TelemetryMessage message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("deviceId", message.deviceId());
        if (message.moduleId() != null) {
            node.put("moduleId", message.moduleId());
        }
        String text = utf8OrNull(message.body());
        if (text != null) {
            node.put("body", text);
        }
        else {
            node.put("bodyBase64", Base64.getEncoder().encodeToString(message.body()));
        }
        ObjectNode properties = node.putObject("properties");
        message.properties().forEach(properties::put);
        ObjectNode systemProperties = node.putObject("systemProperties");
        message.systemProperties().forEach(systemProperties::put);
        node.put("enqueuedTime", message.enqueuedTime().toString());
        return node;
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (CharacterCodingException ex) {
            return null;
        }
    }
}
