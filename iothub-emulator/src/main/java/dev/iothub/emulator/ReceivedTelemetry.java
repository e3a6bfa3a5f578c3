package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A device-to-cloud message as the service side sees it.
 *
 * @param deviceId the device that sent it (stamped by the hub, not taken from the message)
 * @param moduleId the module that sent it, or {@code null}
 * @param body the body
 * @param properties the application properties (values may be {@code null}; {@code mqtt-retain} when RETAIN was set)
 * @param systemProperties the system properties under their service names, e.g. {@code message-id},
 * {@code correlation-id}, {@code content-type}, {@code iothub-connection-device-id}, {@code iothub-enqueuedtime}
 * (values may be {@code null} when the device sent a bare key)
 * @param enqueuedTime when the hub received it
 * @param sequenceNumber the hub's number for the message, increasing hub-wide in the order received (the cursor
 * of the REST API's telemetry pages)
 */
public record ReceivedTelemetry(String deviceId, @Nullable String moduleId, byte[] body,
        Map<String, @Nullable String> properties, Map<String, @Nullable String> systemProperties,
        Instant enqueuedTime, long sequenceNumber) {

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(this.body, StandardCharsets.UTF_8);
    }
}
