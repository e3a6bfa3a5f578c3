package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;

/**
 * Desired properties delivered to the device: either a change notification, or after a (re)connect the whole
 * desired document when it changed while the device was offline.
 *
 * @param version the desired {@code $version} after the change
 * @param payload the JSON patch ({@code null} members mean deletion), or the whole desired document
 * @param complete whether the payload is the whole desired document rather than a patch
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record DesiredPropertiesUpdate(long version, byte[] payload, boolean complete) {

    /** The JSON decoded as UTF-8. */
    public String payloadAsString() {
        return new String(this.payload, StandardCharsets.UTF_8);
    }

}
