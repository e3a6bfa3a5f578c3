package dev.iothub.spring.inbound;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Handles invocations of a direct method.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface DirectMethodHandler {

    /**
     * Handles an invocation.
     *
     * @param request the request
     * @return the response to send
     * @throws Exception answered with status 500 and the exception's class name
     */
    DirectMethodResponse handle(DirectMethodRequest request) throws Exception;

    /**
     * Handles an invocation whose answer may come later; by default it completes with {@link #handle}'s answer.
     *
     * @param request the request
     * @return the response to send once it is known
     */
    default CompletionStage<DirectMethodResponse> handleAsync(DirectMethodRequest request) {
        try {
            return CompletableFuture.completedFuture(handle(request));
        }
        catch (Exception ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

}
