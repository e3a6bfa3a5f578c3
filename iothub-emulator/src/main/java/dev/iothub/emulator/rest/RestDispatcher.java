package dev.iothub.emulator.rest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Json;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a REST connection: turns a request into a {@link RestRequest}, runs its route on the REST
 * executor (a route may block, the event loop must not) and writes the handler's answer or the error it failed with
 * as {@code {"errorCode":...,"message":...}}. An answer that completes later (a direct method) is written from the
 * REST executor too, never from the thread that completed it.
 * <p>
 * It asks for the connection's next request only once an answer is written, so each connection has one request in
 * flight and pipelined requests are answered in order. Every request is answered, whatever failed (an
 * {@link Error}, an answer that cannot be written as JSON), and an unexpected failure is logged. A request the HTTP
 * codec could not parse gets {@code 400}, one whose body is over {@value #MAX_BODY_BYTES} bytes {@code 413} (see
 * {@link LimitedRequestAggregator}); both close the connection.
 */
final class RestDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The request cannot be parsed as HTTP. */
    static final int BAD_REQUEST = 400000;

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

    private static final Map<String, String> CLOSE = Map.of(HttpHeaderNames.CONNECTION.toString(), "close");

    private static final System.Logger logger = System.getLogger(RestDispatcher.class.getName());

    /** How often an event stream sends a comment, so that proxies and clients see the connection alive. */
    static final Duration KEEP_ALIVE_INTERVAL = Duration.ofSeconds(15);

    private final RestRouter router;

    private final ServiceRequestGuard guard;

    private final Executor executor;

    /** Whether the connection's next request was asked for and has not arrived yet. */
    private boolean awaitingRequest;

    RestDispatcher(RestRouter router, ServiceRequestGuard guard, Executor executor) {
        this.router = router;
        this.guard = guard;
        this.executor = executor;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        readNextRequest(ctx);
        ctx.fireChannelActive();
    }

    /** A read that brought no whole request (e.g. headers only) still satisfies a {@code read()}: ask again. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (this.awaitingRequest) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        this.awaitingRequest = false;
        Call call = Call.of(http);
        if (!http.decoderResult().isSuccess()) {
            send(ctx, call, null, http.decoderResult().cause());
            return;
        }
        try {
            this.executor.execute(() -> dispatch(ctx, call));
        }
        catch (RejectedExecutionException closing) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.log(System.Logger.Level.DEBUG, "Closing REST connection from " + ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private void readNextRequest(ChannelHandlerContext ctx) {
        this.awaitingRequest = true;
        ctx.read();
    }

    private void dispatch(ChannelHandlerContext ctx, Call call) {
        CompletableFuture<RestResponse> answer;
        try {
            answer = route(call).toCompletableFuture();
        }
        catch (Throwable ex) {
            answer = CompletableFuture.failedFuture(ex);
        }
        if (answer.isDone()) {
            answer.whenComplete((response, failure) -> send(ctx, call, response, failure));
        }
        else {
            answer.whenCompleteAsync((response, failure) -> send(ctx, call, response, failure), (task) -> {
                try {
                    this.executor.execute(task);
                }
                catch (RejectedExecutionException closing) {
                    ctx.close();
                }
            });
        }
    }

    private CompletionStage<RestResponse> route(Call call) {
        RestResponse foreign = this.guard.refuseForeign(call.method(), call.header("host"), call.header("origin"));
        if (foreign != null) {
            return CompletableFuture.completedFuture(foreign);
        }
        URI target = URI.create(call.target());
        String path = target.getRawPath();
        if (path == null) {
            throw RestRequest.invalid("The request target must be a path, not " + call.target());
        }
        RestRouter.RouteMatch match = this.router.match(call.routedMethod(), path);
        boolean anonymous = match instanceof RestRouter.RouteMatch.Found found && found.anonymous();
        RestResponse unauthorized = anonymous ? null : this.guard.refuseUnauthorized(call.header("authorization"));
        if (unauthorized != null) {
            return CompletableFuture.completedFuture(unauthorized);
        }
        if (match instanceof RestRouter.RouteMatch.Found found) {
            return found.handler().handle(new RestRequest(found.pathVariables(), call.headers(), call.body(),
                    RestRequest.queryParameters(target.getRawQuery())));
        }
        if (match instanceof RestRouter.RouteMatch.MethodNotAllowed notAllowed) {
            return CompletableFuture.completedFuture(RestResponse.error(405, METHOD_NOT_ALLOWED,
                    call.method() + " is not supported on " + path,
                    Map.of("Allow", String.join(", ", notAllowed.allowedMethods()))));
        }
        return CompletableFuture.completedFuture(
                RestResponse.error(404, GENERIC_NOT_FOUND, "No resource at " + path, Map.of()));
    }

    private void send(ChannelHandlerContext ctx, Call call, @Nullable RestResponse response,
            @Nullable Throwable failure) {
        try {
            RestResponse answer = (failure != null || response == null) ? errorResponse(call, failure) : response;
            if (answer.events() != null) {
                stream(ctx, answer.events());
                return;
            }
            FullHttpResponse http = toHttp(answer, call);
            boolean close = !HttpUtil.isKeepAlive(http);
            ctx.writeAndFlush(http).addListener((ChannelFutureListener) (written) -> {
                if (!written.isSuccess()) {
                    logger.log(System.Logger.Level.DEBUG, "Could not answer " + call + ": the client went away",
                            written.cause());
                    written.channel().close();
                }
                else if (close) {
                    written.channel().close();
                }
                else {
                    readNextRequest(ctx);
                }
            });
        }
        catch (Throwable ex) {
            logger.log(System.Logger.Level.WARNING, "Could not answer " + call, ex);
            ctx.close();
        }
    }

    /**
     * Answers with a server-sent event stream that holds the connection until the client goes away: the events the
     * stream sends, and a comment every {@link #KEEP_ALIVE_INTERVAL}. A client that does not read fast enough to
     * keep the connection writable is disconnected rather than buffered for.
     */
    private static void stream(ChannelHandlerContext ctx, EventStream events) {
        Channel channel = ctx.channel();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
            .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
            .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
            .set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        channel.write(head);
        channel.writeAndFlush(chunk(": stream open\n\n"));
        Runnable cancel = events.open((event) -> {
            if (channel.isWritable()) {
                channel.writeAndFlush(chunk(event));
            }
            else {
                channel.close();
            }
        });
        ScheduledFuture<?> keepAlive = ctx.executor().scheduleAtFixedRate(
                () -> channel.writeAndFlush(chunk(": keep-alive\n\n")), KEEP_ALIVE_INTERVAL.toMillis(),
                KEEP_ALIVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener((closed) -> {
            keepAlive.cancel(false);
            cancel.run();
        });
    }

    private static HttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static FullHttpResponse toHttp(RestResponse answer, Call call) {
        int status = answer.status();
        Map<String, String> headers = answer.headers();
        byte @Nullable [] bytes;
        try {
            bytes = (answer.body() != null) ? Json.MAPPER.writeValueAsBytes(answer.body())
                    : (answer.text() != null) ? answer.text().getBytes(StandardCharsets.UTF_8) : null;
        }
        catch (Throwable ex) {
            logger.log(System.Logger.Level.WARNING, "Could not write the answer to " + call + " as JSON", ex);
            status = 500;
            headers = Map.of();
            bytes = LAST_RESORT;
        }
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                (bytes != null) ? Unpooled.wrappedBuffer(bytes) : Unpooled.EMPTY_BUFFER);
        headers.forEach(http.headers()::set);
        http.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        if (bytes != null) {
            if (!http.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
                http.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
            }
            http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        }
        return http;
    }

    private static RestResponse errorResponse(Call call, @Nullable Throwable failure) {
        Throwable cause = (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause()
                : failure;
        if (cause == null) {
            cause = new IllegalStateException("The handler answered nothing");
        }
        if (cause instanceof TooLongHttpContentException) {
            return RestResponse.error(413, REQUEST_TOO_LARGE, "The request body is over " + MAX_BODY_BYTES
                    + " bytes", CLOSE);
        }
        if (!call.parsed()) {
            return RestResponse.error(400, BAD_REQUEST, "The request is not valid HTTP: " + cause.getMessage(), CLOSE);
        }
        if (cause instanceof IotHubServiceException hubError) {
            return RestResponse.error(hubError.getHttpStatus(), hubError.getErrorCode(), hubError.getMessage(),
                    Map.of());
        }
        if (cause instanceof IllegalArgumentException) {
            return RestResponse.error(400, IotHubServiceException.ARGUMENT_INVALID, cause.getMessage(), Map.of());
        }
        logger.log(System.Logger.Level.WARNING, "REST request " + call + " failed", cause);
        return RestResponse.error(500, SERVER_ERROR, "The emulator failed: " + cause, Map.of());
    }

    /**
     * A request copied off the channel's buffers, to be served on another thread.
     *
     * @param method the HTTP method
     * @param target the request target, e.g. {@code /devices/d?api-version=2021-04-12}
     * @param headers the headers, with case-insensitive names
     * @param body the body, empty when there is none
     * @param parsed whether the HTTP codec could parse the request
     */
    private record Call(String method, String target, Map<String, List<String>> headers, byte[] body,
            boolean parsed) {

        static Call of(FullHttpRequest http) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            http.headers().forEach((header) -> headers.computeIfAbsent(header.getKey(), (name) -> new ArrayList<>())
                .add(header.getValue()));
            return new Call(http.method().name(), http.uri(), headers, ByteBufUtil.getBytes(http.content()),
                    http.decoderResult().isSuccess());
        }

        /** Method and target without the query, for log lines. */
        @Override
        public String toString() {
            int query = this.target.indexOf('?');
            return this.method + " " + ((query >= 0) ? this.target.substring(0, query) : this.target);
        }

        /**
         * The method to route by: a POST may stand for another method in {@code X-HTTP-Method-Override}, as the
         * official service SDK's PATCH does ({@code HttpURLConnection} cannot send PATCH).
         */
        String routedMethod() {
            String override = header("x-http-method-override");
            return (override != null && this.method.equals("POST")) ? override : this.method;
        }

        @Nullable String header(String name) {
            List<String> values = this.headers.get(name);
            return (values == null || values.isEmpty()) ? null : values.get(0);
        }
    }
}
