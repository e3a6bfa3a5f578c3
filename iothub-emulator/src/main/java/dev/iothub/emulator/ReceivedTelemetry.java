package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * A device-to-cloud message as the service side sees it.
 *
 * @param deviceId the device that sent it (stamped by the hub, not taken from the message)
 * @param moduleId the module that sent it, or {@code null}
 * @param body the body
 * @param properties the application properties (values may be {@code null}; {@code mqtt-retain} when RETAIN was set)
 * @param systemProperties the system properties under their service names, e.g. {@code message-id},
 * {@code correlation-id}, {@code content-type}, {@code iothub-connection-device-id}, {@code iothub-enqueuedtime}
 * @param enqueuedTime when the hub received it
 */
public record ReceivedTelemetry(String deviceId, String moduleId, byte[] body, Map<String, String> properties,
        Map<String, String> systemProperties, Instant enqueuedTime) {

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(this.body, StandardCharsets.UTF_8);
    }
}
