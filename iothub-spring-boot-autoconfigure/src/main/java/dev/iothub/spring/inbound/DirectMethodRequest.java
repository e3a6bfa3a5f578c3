package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;

/**
 * A direct-method invocation as received.
 *
 * @param methodName the method name (PnP component commands use {@code component*command})
 * @param requestId the {@code $rid} the response must carry
 * @param payload the JSON request body, possibly empty
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record DirectMethodRequest(String methodName, String requestId, byte[] payload) {

    /** The body decoded as UTF-8. */
    public String payloadAsString() {
        return new String(this.payload, StandardCharsets.UTF_8);
    }

}
