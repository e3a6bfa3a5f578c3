package dev.iothub.emulator.dps;

import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * An answer of the provisioning service to a device's request.
 *
 * @param status the HTTP-like status, e.g. 202 while assigning, 200 with the result, 401 for a refused attestation
 * @param retryAfterSeconds the {@code retry-after} the device should wait before its next request, or {@code null}
 * @param body the JSON body
 */
public record ProvisioningResponse(int status, @Nullable Integer retryAfterSeconds, ObjectNode body) {
}
