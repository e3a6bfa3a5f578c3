package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * The answer to a direct method: a status and a JSON body (empty for none).
 *
 * @param status the status reported to the caller, for example 200
 * @param payload the JSON body
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record DirectMethodResponse(int status, byte[] payload) {

    /** A response with a JSON body given as text. */
    public static DirectMethodResponse of(int status, String json) {
        return new DirectMethodResponse(status, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A response without a body. */
    public static DirectMethodResponse of(int status) {
        return new DirectMethodResponse(status, new byte[0]);
    }

    /**
     * An error response with the body {@code {"error":"<error>","message":"<message>"}}.
     *
     * @param status the status, for example 400, 500, 501 or 503
     * @param error a short code, for example {@code NotImplemented} or an exception's simple class name
     * @param message what went wrong, for the caller
     */
    public static DirectMethodResponse error(int status, String error, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return new DirectMethodResponse(status, JsonMapper.shared().writeValueAsBytes(body));
    }

}
