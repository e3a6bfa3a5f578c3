package dev.iothub.emulator;

import java.util.Map;

/**
 * The properties of a device twin as the device sees them.
 *
 * @param desired the desired properties, without {@code $version}
 * @param desiredVersion the desired properties' version
 * @param reported the reported properties, without {@code $version}
 * @param reportedVersion the reported properties' version
 */
public record TwinSnapshot(Map<String, Object> desired, long desiredVersion, Map<String, Object> reported,
        long reportedVersion) {
}
