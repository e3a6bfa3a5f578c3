package dev.iothub.spring.observation;

import java.util.Locale;

/**
 * How a telemetry send ended.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public enum IotHubTelemetryOutcome {

    /** The hub acknowledged the message (PUBACK). */
    ACKNOWLEDGED,

    /** The message was accepted but could not be delivered (a write or publish error, or the connection stopped). */
    FAILED,

    /** The message was refused before it was queued (back-pressure, size, or the connection not running). */
    REJECTED;

    /** The lower-case tag value. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

}
