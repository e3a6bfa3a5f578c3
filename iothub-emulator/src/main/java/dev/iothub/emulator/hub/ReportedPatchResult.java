package dev.iothub.emulator.hub;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a device's reported patch, for its twin response.
 *
 * @param status 204, 400 or 412
 * @param version the new reported version on success, otherwise {@code null}
 */
public record ReportedPatchResult(int status, @Nullable Long version) {
}
