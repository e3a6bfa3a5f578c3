package dev.iothub.spring.twin;

import java.util.Map;

/**
 * The device's view of its twin: desired and reported properties with their versions ({@code $version} and
 * {@code $metadata} removed from the maps).
 *
 * @param desired the desired properties
 * @param desiredVersion the desired {@code $version}
 * @param reported the reported properties
 * @param reportedVersion the reported {@code $version}
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record DeviceTwin(Map<String, Object> desired, long desiredVersion, Map<String, Object> reported,
        long reportedVersion) {
}
