package dev.iothub.emulator;

import org.jspecify.annotations.Nullable;

/**
 * A device's answer to a direct method.
 *
 * @param status the status the device answered with
 * @param payload the device's response body as JSON text, or {@code null} when it sent none
 */
public record MethodResult(int status, @Nullable String payload) {
}
