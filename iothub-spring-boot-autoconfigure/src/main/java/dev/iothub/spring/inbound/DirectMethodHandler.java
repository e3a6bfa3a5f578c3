package dev.iothub.spring.inbound;

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

}
