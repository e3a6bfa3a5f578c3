package dev.iothub.emulator.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;

/**
 * The HTTP entry point: reads a request, routes it, and writes the handler's answer or the error it failed with as
 * {@code {"errorCode":...,"message":...}}. An answer that completes later (a direct method) is written on the REST
 * executor, never on the thread that completed it.
 */
final class RestDispatcher implements HttpHandler {

    /** No route has the path. */
    static final int GENERIC_NOT_FOUND = 404000;

    /** The path exists for other HTTP methods only. */
    static final int METHOD_NOT_ALLOWED = 405000;

    /** The emulator failed unexpectedly. */
    static final int SERVER_ERROR = 500000;

    private static final System.Logger logger = System.getLogger(RestDispatcher.class.getName());

    private final RestRouter router;

    private final Executor executor;

    RestDispatcher(RestRouter router, Executor executor) {
        this.router = router;
        this.executor = executor;
    }

    @Override
    public void handle(HttpExchange exchange) {
        CompletableFuture<RestResponse> answer = dispatch(exchange).toCompletableFuture();
        if (answer.isDone()) {
            answer.whenComplete((response, failure) -> send(exchange, response, failure));
        }
        else {
            answer.whenCompleteAsync((response, failure) -> send(exchange, response, failure), this.executor);
        }
    }

    private CompletionStage<RestResponse> dispatch(HttpExchange exchange) {
        try {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            RestRouter.RouteMatch match = this.router.match(method, path);
            if (match instanceof RestRouter.RouteMatch.Found found) {
                Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                headers.putAll(exchange.getRequestHeaders());
                return found.handler().handle(new RestRequest(found.pathVariables(), headers, body));
            }
            if (match instanceof RestRouter.RouteMatch.MethodNotAllowed notAllowed) {
                return CompletableFuture.completedFuture(RestResponse.error(405, METHOD_NOT_ALLOWED,
                        method + " is not supported on " + path,
                        Map.of("Allow", String.join(", ", notAllowed.allowedMethods()))));
            }
            return CompletableFuture.completedFuture(
                    RestResponse.error(404, GENERIC_NOT_FOUND, "No resource at " + path, Map.of()));
        }
        catch (IOException | RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private static void send(HttpExchange exchange, RestResponse response, Throwable failure) {
        RestResponse answer = (failure != null) ? errorResponse(exchange, failure) : response;
        try (exchange) {
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            if (answer.body() == null) {
                exchange.sendResponseHeaders(answer.status(), -1);
                return;
            }
            byte[] bytes = Json.MAPPER.writeValueAsBytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        catch (IOException ex) {
            logger.log(System.Logger.Level.DEBUG, "Could not answer " + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI().getRawPath() + ": the client went away", ex);
        }
    }

    private static RestResponse errorResponse(HttpExchange exchange, Throwable failure) {
        Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        if (cause instanceof IotHubServiceException hubError) {
            return RestResponse.error(hubError.getHttpStatus(), hubError.getErrorCode(), hubError.getMessage(),
                    Map.of());
        }
        if (cause instanceof IllegalArgumentException) {
            return RestResponse.error(400, IotHubServiceException.ARGUMENT_INVALID, cause.getMessage(), Map.of());
        }
        logger.log(System.Logger.Level.WARNING, "REST request " + exchange.getRequestMethod() + " "
                + exchange.getRequestURI().getRawPath() + " failed", cause);
        return RestResponse.error(500, SERVER_ERROR, "The emulator failed: " + cause, Map.of());
    }
}
