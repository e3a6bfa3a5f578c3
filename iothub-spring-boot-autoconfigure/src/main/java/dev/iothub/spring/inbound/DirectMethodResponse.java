package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;

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

}
