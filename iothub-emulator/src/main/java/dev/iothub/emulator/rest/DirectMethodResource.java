package dev.iothub.emulator.rest;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.hub.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /twins/{deviceId}[/modules/{moduleId}]/methods}: invokes a direct method and answers
 * {@code {"status":..,"payload":..}} once the device has answered. No thread waits for the device meanwhile: the
 * answer is written when the invocation completes.
 * {@code connectTimeoutInSeconds} is accepted and ignored (a device that is not connected fails at once with
 * {@code 404103}).
 */
final class DirectMethodResource {

    private static final int DEFAULT_RESPONSE_TIMEOUT_SECONDS = 30;

    private final IotHubEmulator emulator;

    DirectMethodResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.addAsync("POST", "/twins/{deviceId}/methods", this::invoke)
            .addAsync("POST", "/twins/{deviceId}/modules/{moduleId}/methods", this::invoke);
    }

    private CompletionStage<RestResponse> invoke(RestRequest request) {
        String id = request.identityId();
        this.emulator.device(id);
        JsonNode body = request.requiredJsonObjectBody();
        JsonNode methodName = body.path("methodName");
        if (!methodName.isString() || methodName.asString().isBlank()) {
            throw RestRequest.invalid("methodName must be a non-empty string");
        }
        int responseTimeout = seconds(body, "responseTimeoutInSeconds", DEFAULT_RESPONSE_TIMEOUT_SECONDS);
        seconds(body, "connectTimeoutInSeconds", 0);
        JsonNode payload = body.path("payload");
        String payloadJson = (payload.isMissingNode() || payload.isNull()) ? null
                : Json.MAPPER.writeValueAsString(payload);
        return this.emulator
            .invokeMethodAsync(id, methodName.asString(), payloadJson, Duration.ofSeconds(responseTimeout))
            .thenApply(DirectMethodResource::toResponse);
    }

    private static RestResponse toResponse(MethodResult result) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("status", result.status());
        if (result.payload() == null) {
            body.putNull("payload");
        }
        else {
            JsonNode payload = Json.parseOrNull(result.payload());
            body.set("payload", (payload != null) ? payload : body.stringNode(result.payload()));
        }
        return RestResponse.ok(body);
    }

    private static int seconds(JsonNode body, String name, int defaultValue) {
        JsonNode value = body.path(name);
        if (value.isMissingNode() || value.isNull()) {
            return defaultValue;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
            throw RestRequest.invalid(name + " must be a whole number of seconds");
        }
        return value.asInt();
    }
}
