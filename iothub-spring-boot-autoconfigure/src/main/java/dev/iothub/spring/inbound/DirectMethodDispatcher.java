package dev.iothub.spring.inbound;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.iothub.protocol.Topics;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.inbound.IotHubInboundRouter.Registration;

/**
 * Runs direct-method requests on the method pool and sends every answer: the handler's, 501 without a handler,
 * 500 when the handler fails, 503 when the pool's queue is full. Refusals and failures to answer are logged once
 * per burst.
 */
final class DirectMethodDispatcher {

    /** IoT Hub accepts method responses up to 128 KB. */
    static final int MAX_RESPONSE_BYTES = 128 * 1024;

    private static final Log logger = LogFactory.getLog(DirectMethodDispatcher.class);

    private final IotHubClientManager clientManager;

    private final InboundExecutor executor;

    private final String poolDescription;

    private final RateLimitedWarnings warnings;

    private final Map<String, DirectMethodHandler> handlers = new ConcurrentHashMap<>();

    DirectMethodDispatcher(IotHubClientManager clientManager, InboundExecutor executor, RateLimitedWarnings warnings) {
        this.clientManager = clientManager;
        this.executor = executor;
        this.poolDescription = executor.threads() + " method threads busy, " + executor.queueCapacity()
                + " requests waiting";
        this.warnings = warnings;
    }

    Registration add(String methodName, DirectMethodHandler handler) {
        DirectMethodHandler existing = this.handlers.putIfAbsent(methodName, handler);
        if (existing != null) {
            throw new IllegalStateException("The direct method '" + methodName + "' already has a handler");
        }
        return () -> this.handlers.remove(methodName, handler);
    }

    /** Hands a request to the pool, or answers 503 at once when the pool's queue is full. Never blocks. */
    void dispatch(DirectMethodRequest request) {
        InboundExecutor.Outcome outcome = this.executor.execute(() -> invoke(request));
        if (outcome == InboundExecutor.Outcome.ACCEPTED) {
            return;
        }
        boolean stopping = outcome == InboundExecutor.Outcome.STOPPED;
        if (!stopping) {
            this.warnings.warn("Refused direct-method requests, answering 503: " + this.poolDescription,
                    details(request.methodName(), request.requestId()));
        }
        answer(request.methodName(), request.requestId(), DirectMethodResponse.error(503, "ServiceUnavailable",
                stopping ? "The device is stopping" : "Too many direct methods are running on the device"));
    }

    /** Answers a request that cannot be dispatched, such as one on a misshapen topic. */
    void answer(@Nullable String methodName, String requestId, DirectMethodResponse response) {
        DirectMethodResponse sent = response;
        if (response.payload().length > MAX_RESPONSE_BYTES) {
            this.warnings.warn("Answering 500 instead of direct-method responses over IoT Hub's 128 KB",
                    details(methodName, requestId));
            sent = DirectMethodResponse.error(500, "ResponseTooLarge", "The device's response has "
                    + response.payload().length + " bytes; IoT Hub accepts at most " + MAX_RESPONSE_BYTES);
        }
        this.clientManager.publish(Topics.methodResponse(sent.status(), requestId), sent.payload(), 1)
            .exceptionally((ex) -> {
                this.warnings.warn("Could not answer direct-method requests",
                        details(methodName, requestId) + ": " + ex.getMessage());
                return null;
            });
    }

    private void invoke(DirectMethodRequest request) {
        DirectMethodHandler handler = this.handlers.get(request.methodName());
        if (handler == null) {
            this.warnings.warn("No handler for direct-method requests, answering 501",
                    details(request.methodName(), request.requestId()));
            answer(request, DirectMethodResponse.error(501, "NotImplemented",
                    "No handler for direct method '" + request.methodName() + "'"));
            return;
        }
        CompletionStage<DirectMethodResponse> outcome;
        try {
            outcome = handler.handleAsync(request);
        }
        catch (RuntimeException ex) {
            outcome = CompletableFuture.failedFuture(ex);
        }
        if (outcome == null) {
            outcome = CompletableFuture.failedFuture(new IllegalStateException("The handler returned no answer"));
        }
        outcome.whenComplete((response, failure) -> {
            Throwable ex = (failure instanceof CompletionException && failure.getCause() != null)
                    ? failure.getCause() : failure;
            if (ex != null) {
                logger.error("Direct method '" + request.methodName() + "' failed; answering 500", ex);
                answer(request, DirectMethodResponse.error(500, ex.getClass().getSimpleName(),
                        String.valueOf(ex.getMessage())));
            }
            else {
                answer(request, (response != null) ? response : DirectMethodResponse.of(200));
            }
        });
    }

    private void answer(DirectMethodRequest request, DirectMethodResponse response) {
        answer(request.methodName(), request.requestId(), response);
    }

    private static String details(@Nullable String methodName, String requestId) {
        return " (method '" + methodName + "', $rid " + requestId + ")";
    }

}
