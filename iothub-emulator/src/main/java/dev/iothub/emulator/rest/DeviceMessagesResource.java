package dev.iothub.emulator.rest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.emulator.hub.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Emulator-only endpoints with no IoT Hub REST counterpart (there, these go over AMQP and the Event Hubs endpoint):
 * send a cloud-to-device message to a device; read a page of the telemetry received from a device or module
 * ({@code ?limit=}, {@code ?after=} a sequence number, {@code ?since=} an ISO-8601 instant), clear it, or stream it
 * live as server-sent events ({@code event: telemetry}, {@code data:} the message's JSON); and drop a connection.
 * <p>
 * Application property values in {@code iothub-app-*} headers may be any Unicode: percent-encoded UTF-8
 * ({@code %C3%A9}) or raw UTF-8 bytes; a {@code %} that starts no escape stays as it is.
 */
final class DeviceMessagesResource {

    /**
     * Prefix of the request headers that carry application properties of a cloud-to-device message. Header names
     * are case-insensitive, so the property names are taken in lower case.
     */
    static final String APP_PROPERTY_PREFIX = "iothub-app-";

    /** The default and largest page of telemetry. */
    static final int MAX_PAGE = 1000;

    private final IotHubEmulator emulator;

    DeviceMessagesResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("POST", "/devices/{deviceId}/messages/deviceBound", this::sendToDevice)
            .add("GET", "/devices/{deviceId}/messages/events", this::receivedTelemetry)
            .add("GET", "/devices/{deviceId}/modules/{moduleId}/messages/events", this::receivedTelemetry)
            .add("DELETE", "/devices/{deviceId}/messages/events", this::clearTelemetry)
            .add("DELETE", "/devices/{deviceId}/modules/{moduleId}/messages/events", this::clearTelemetry)
            .add("GET", "/devices/{deviceId}/messages/events/stream", this::streamTelemetry)
            .add("GET", "/devices/{deviceId}/modules/{moduleId}/messages/events/stream", this::streamTelemetry)
            .add("POST", "/devices/{deviceId}/disconnect", this::disconnect)
            .add("POST", "/devices/{deviceId}/modules/{moduleId}/disconnect", this::disconnect);
    }

    private RestResponse sendToDevice(RestRequest request) {
        CloudToDeviceRequest message = CloudToDeviceRequest.of(request.body())
            .messageId(request.header("iothub-messageid"))
            .correlationId(request.header("iothub-correlationid"))
            .contentType(request.header("content-type"))
            .contentEncoding(request.header("content-encoding"));
        request.headers().forEach((name, values) -> {
            if (name.toLowerCase(Locale.ROOT).startsWith(APP_PROPERTY_PREFIX)
                    && name.length() > APP_PROPERTY_PREFIX.length()) {
                message.property(name.substring(APP_PROPERTY_PREFIX.length()).toLowerCase(Locale.ROOT),
                        values.isEmpty() ? null : headerText(values.get(0)));
            }
        });
        String messageId = this.emulator.sendCloudToDevice(request.identityId(), message);
        return RestResponse.noContent(Map.of("iothub-messageid", messageId));
    }

    private RestResponse receivedTelemetry(RestRequest request) {
        String id = request.identityId();
        int limit = (int) number(request, "limit", MAX_PAGE);
        if (limit < 1 || limit > MAX_PAGE) {
            throw RestRequest.invalid("limit must be from 1 to " + MAX_PAGE);
        }
        long after = number(request, "after", 0);
        String since = request.query().get("since");
        Instant sinceInstant;
        try {
            sinceInstant = (since != null) ? Instant.parse(since) : null;
        }
        catch (DateTimeParseException ex) {
            throw RestRequest.invalid("since must be an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z");
        }
        List<ReceivedTelemetry> received = this.emulator.telemetry(id, after, sinceInstant, limit);
        ArrayNode messages = Json.MAPPER.createArrayNode();
        received.forEach((message) -> messages.add(toJson(message)));
        return RestResponse.ok(messages);
    }

    private RestResponse clearTelemetry(RestRequest request) {
        this.emulator.clearTelemetry(request.identityId());
        return RestResponse.noContent();
    }

    private RestResponse streamTelemetry(RestRequest request) {
        String id = request.identityId();
        this.emulator.device(id);
        return RestResponse.events((sink) -> this.emulator.subscribeTelemetry(id, (message) -> sink
            .accept("event: telemetry\ndata: " + Json.MAPPER.writeValueAsString(toJson(message)) + "\n\n"))::close);
    }

    private static long number(RestRequest request, String name, long defaultValue) {
        String value = request.query().get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException ex) {
            throw RestRequest.invalid(name + " must be a whole number, not " + value);
        }
    }

    /**
     * A header value as Unicode: the HTTP codec hands over its bytes as ISO-8859-1 characters; they are
     * percent-decoded and read as UTF-8 (the text as it came when that fails).
     */
    static String headerText(String value) {
        byte[] raw = value.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream decoded = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            int high = (raw[i] == '%' && i + 2 < raw.length) ? Character.digit(raw[i + 1], 16) : -1;
            int low = (high >= 0) ? Character.digit(raw[i + 2], 16) : -1;
            if (low >= 0) {
                decoded.write(high * 16 + low);
                i += 2;
            }
            else {
                decoded.write(raw[i]);
            }
        }
        String text = utf8OrNull(decoded.toByteArray());
        return (text != null) ? text : value;
    }

    private RestResponse disconnect(RestRequest request) {
        this.emulator.disconnect(request.identityId());
        return RestResponse.noContent();
    }

    private static ObjectNode toJson(ReceivedTelemetry message) {
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
        node.put("sequenceNumber", message.sequenceNumber());
        return node;
    }

    private static @Nullable String utf8OrNull(byte[] bytes) {
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
