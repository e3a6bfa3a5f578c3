package dev.iothub.emulator.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
 * <p>
 * Every request is answered, whatever failed (an {@link Error}, an answer that cannot be written as JSON), and an
 * unexpected failure is logged. A body over {@value #MAX_BODY_BYTES} bytes is refused with {@code 413}: at once when
 * its {@code Content-Length} says so, and as soon as that many bytes of a chunked body have been read.
 */
final class RestDispatcher implements HttpHandler {

    /** No route has the path. */
    static final int GENERIC_NOT_FOUND = 404000;

    /** The path exists for other HTTP methods only. */
    static final int METHOD_NOT_ALLOWED = 405000;

    /** The request body is over {@link #MAX_BODY_BYTES}. */
    static final int REQUEST_TOO_LARGE = 413000;

    /** The emulator failed unexpectedly. */
    static final int SERVER_ERROR = 500000;

    /** The largest request body read; IoT Hub's largest (a direct-method payload) is 128 KB. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** The answer when even the error answer cannot be written. */
    private static final byte[] LAST_RESORT = ("{\"errorCode\":" + SERVER_ERROR
            + ",\"message\":\"The emulator failed to write its answer\"}").getBytes(StandardCharsets.UTF_8);

    private static final System.Logger logger = System.getLogger(RestDispatcher.class.getName());

    private final RestRouter router;

    private final Executor executor;

    RestDispatcher(RestRouter router, Executor executor) {
        this.router = router;
        this.executor = executor;
    }

    @Override
    public void handle(HttpExchange exchange) {
        CompletableFuture<RestResponse> answer;
        try {
            answer = dispatch(exchange).toCompletableFuture();
        }
        catch (Throwable ex) {
            answer = CompletableFuture.failedFuture(ex);
        }
        if (answer.isDone()) {
            answer.whenComplete((response, failure) -> send(exchange, response, failure));
        }
        else {
            answer.whenCompleteAsync((response, failure) -> send(exchange, response, failure), this.executor);
        }
    }

    private CompletionStage<RestResponse> dispatch(HttpExchange exchange) {
        try {
            byte[] body = readBody(exchange);
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

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && isOver(declared.trim())) {
            throw new BodyTooLargeException();
        }
        InputStream in = exchange.getRequestBody();
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new BodyTooLargeException();
        }
        in.close();
        return body;
    }

    private static boolean isOver(String contentLength) {
        if (contentLength.isEmpty() || !contentLength.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return contentLength.length() > 9 || Long.parseLong(contentLength) > MAX_BODY_BYTES;
    }

    private static void send(HttpExchange exchange, RestResponse response, Throwable failure) {
        try (exchange) {
            RestResponse answer = (failure != null || response == null) ? errorResponse(exchange, failure) : response;
            int status = answer.status();
            byte[] bytes;
            try {
                bytes = (answer.body() != null) ? Json.MAPPER.writeValueAsBytes(answer.body()) : null;
            }
            catch (Throwable ex) {
                logger.log(System.Logger.Level.WARNING, "Could not write the answer to " + describe(exchange)
                        + " as JSON", ex);
                status = 500;
                bytes = LAST_RESORT;
            }
            if (bytes == null) {
                answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            if (bytes != LAST_RESORT) {
                answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        catch (IOException ex) {
            logger.log(System.Logger.Level.DEBUG, "Could not answer " + describe(exchange) + ": the client went away",
                    ex);
        }
        catch (Throwable ex) {
            logger.log(System.Logger.Level.WARNING, "Could not answer " + describe(exchange), ex);
        }
    }

    private static String describe(HttpExchange exchange) {
        return exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
    }

    private static RestResponse errorResponse(HttpExchange exchange, Throwable failure) {
        Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        if (cause == null) {
            cause = new IllegalStateException("The handler answered nothing");
        }
        if (cause instanceof BodyTooLargeException) {
            return RestResponse.error(413, REQUEST_TOO_LARGE, "The request body is over " + MAX_BODY_BYTES
                    + " bytes", Map.of("Connection", "close"));
        }
        if (cause instanceof IotHubServiceException hubError) {
            return RestResponse.error(hubError.getHttpStatus(), hubError.getErrorCode(), hubError.getMessage(),
                    Map.of());
        }
        if (cause instanceof IllegalArgumentException) {
            return RestResponse.error(400, IotHubServiceException.ARGUMENT_INVALID, cause.getMessage(), Map.of());
        }
        logger.log(System.Logger.Level.WARNING, "REST request " + describe(exchange) + " failed", cause);
        return RestResponse.error(500, SERVER_ERROR, "The emulator failed: " + cause, Map.of());
    }

    /** A request body over the limit; refused before more of it is read. */
    private static final class BodyTooLargeException extends IOException {

        BodyTooLargeException() {
            super("request body over " + MAX_BODY_BYTES + " bytes");
        }
    }
}
