package dev.iothub.emulator.rest;

import java.util.Map;

import dev.iothub.emulator.hub.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HTTP response to send: a status, extra headers and a JSON body (none for {@code 204}), or for the few
 * emulator-only resources that are not JSON, a text body.
 *
 * @param status the HTTP status
 * @param headers extra response headers
 * @param body the JSON body, or {@code null} for none
 * @param text a text body, sent as UTF-8 with the {@code Content-Type} of {@code headers}, or {@code null}
 * @param events a stream of server-sent events that holds the connection, or {@code null}
 */
record RestResponse(int status, Map<String, String> headers, @Nullable JsonNode body, @Nullable String text,
        @Nullable EventStream events) {

    RestResponse(int status, Map<String, String> headers, @Nullable JsonNode body) {
        this(status, headers, body, null, null);
    }

    RestResponse(int status, Map<String, String> headers, @Nullable JsonNode body, @Nullable String text) {
        this(status, headers, body, text, null);
    }

    /** A {@code 200} answer that streams server-sent events ({@code text/event-stream}) until the client leaves. */
    static RestResponse events(EventStream events) {
        return new RestResponse(200, Map.of(), null, null, events);
    }

    /** A {@code 200} answer with a JSON body. */
    static RestResponse ok(JsonNode body) {
        return new RestResponse(200, Map.of(), body);
    }

    /** A {@code 200} answer with a text body of the given media type, e.g. a PEM file. */
    static RestResponse okText(String contentType, String text) {
        return new RestResponse(200, Map.of("Content-Type", contentType), null, text);
    }

    /** A {@code 204} answer. */
    static RestResponse noContent() {
        return new RestResponse(204, Map.of(), null);
    }

    /** A {@code 204} answer with extra headers. */
    static RestResponse noContent(Map<String, String> headers) {
        return new RestResponse(204, headers, null);
    }

    /** An error answer in the emulator's shape: {@code {"errorCode":404001,"message":"..."}}. */
    static RestResponse error(int status, int errorCode, String message, Map<String, String> headers) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("errorCode", errorCode).put("message", message);
        return new RestResponse(status, headers, body);
    }
}
