package dev.iothub.emulator.rest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;
import dev.iothub.protocol.MqttUsername;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An HTTP request as a resource sees it: the path variables of its route, its headers and its body.
 *
 * @param pathVariables the values of the route's {@code {name}} segments, decoded
 * @param headers the request headers, with case-insensitive names
 * @param body the request body, empty when there is none
 * @param query the query parameters, decoded (the first value of each)
 */
record RestRequest(Map<String, String> pathVariables, Map<String, List<String>> headers, byte[] body,
        Map<String, String> query) {

    RestRequest(Map<String, String> pathVariables, Map<String, List<String>> headers, byte[] body) {
        this(pathVariables, headers, body, Map.of());
    }

    /** The parameters of a raw query string ({@code null} for none), decoded; the first value of a name wins. */
    static Map<String, String> queryParameters(@Nullable String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = (equals >= 0) ? pair.substring(0, equals) : pair;
                String value = (equals >= 0) ? pair.substring(equals + 1) : "";
                if (!name.isEmpty()) {
                    parameters.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                            URLDecoder.decode(value, StandardCharsets.UTF_8));
                }
            }
        }
        return parameters;
    }

    /** The emulator's error code for a JSON body sent without a JSON content type. */
    static final int UNSUPPORTED_MEDIA_TYPE = 415000;

    /** The value of a path variable of the route. */
    String pathVariable(String name) {
        String value = this.pathVariables.get(name);
        if (value == null) {
            throw new IllegalStateException("The route has no path variable " + name);
        }
        return value;
    }

    /**
     * The identity the path names: {@code deviceId}, or {@code deviceId/moduleId} on a module route (the id the
     * {@link dev.iothub.emulator.IotHubEmulator} API takes).
     */
    String identityId() {
        String deviceId = pathVariable("deviceId");
        String moduleId = this.pathVariables.get("moduleId");
        String id = MqttUsername.clientId(deviceId, moduleId);
        if (deviceId.contains("/") || (moduleId != null && moduleId.contains("/"))) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND, "Identity " + id + " not found");
        }
        return id;
    }

    /** The first value of a header, or {@code null}. */
    @Nullable String header(String name) {
        List<String> values = this.headers.get(name);
        return (values == null || values.isEmpty()) ? null : values.get(0);
    }

    /**
     * The body as a JSON object, or {@code null} when the body is empty.
     *
     * @throws IotHubServiceException {@code 400004} when the body is not a JSON object, {@code 415} when its
     * {@code Content-Type} is not JSON (a browser may send {@code text/plain} across sites without asking)
     */
    @Nullable JsonNode jsonObjectBody() {
        if (this.body.length == 0) {
            return null;
        }
        String contentType = header("content-type");
        String mediaType = (contentType != null) ? contentType.split(";")[0].strip().toLowerCase(Locale.ROOT) : "";
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            throw new IotHubServiceException(UNSUPPORTED_MEDIA_TYPE, "A JSON body needs Content-Type "
                    + "application/json, not " + ((contentType != null) ? contentType : "none"));
        }
        JsonNode node = Json.parseOrNull(new String(this.body, StandardCharsets.UTF_8));
        if (node == null || !node.isObject()) {
            throw invalid("The request body must be a JSON object");
        }
        return node;
    }

    /**
     * The body as a JSON object.
     *
     * @throws IotHubServiceException {@code 400004} when the body is empty or not a JSON object
     */
    JsonNode requiredJsonObjectBody() {
        JsonNode node = jsonObjectBody();
        if (node == null) {
            throw invalid("The request needs a JSON object body");
        }
        return node;
    }

    /** A {@code 400004} error to throw for a request that is not acceptable. */
    static IotHubServiceException invalid(String message) {
        return new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, message);
    }
}
