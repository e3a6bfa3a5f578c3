package dev.iothub.emulator.rest;

import java.util.concurrent.CompletionStage;

/**
 * Handles the requests of one route. The answer may complete later (a direct method waits for the device); a handler
 * may also throw, e.g. an {@link dev.iothub.emulator.IotHubServiceException}, which becomes an error answer.
 */
@FunctionalInterface
interface RestHandler {

    /** Answers a request. */
    CompletionStage<RestResponse> handle(RestRequest request);
}
