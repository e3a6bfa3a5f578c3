package dev.iothub.emulator.transport;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * Lets through to Netty's WebSocket handshake only an upgrade request for the device endpoint's path (any query
 * string) that asks for the {@code mqtt} subprotocol, then removes itself. Anything else is answered with an HTTP
 * error and the connection is closed: 404 for another path, 400 for a request that is not a WebSocket upgrade or
 * does not offer the subprotocol (Netty alone would upgrade such a request without a subprotocol, or match paths by
 * prefix).
 */
final class WebSocketUpgradeGate extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(WebSocketUpgradeGate.class.getName());

    private final String path;

    private final String subprotocol;

    WebSocketUpgradeGate(String path, String subprotocol) {
        this.path = path;
        this.subprotocol = subprotocol;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Refusal refusal = refusal(request);
        if (refusal != null) {
            ReferenceCountUtil.release(request);
            refuse(ctx, refusal);
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    private @Nullable Refusal refusal(FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Malformed HTTP request");
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        if (!(query >= 0 ? uri.substring(0, query) : uri).equals(this.path)) {
            return new Refusal(HttpResponseStatus.NOT_FOUND, "No WebSocket endpoint at " + uri);
        }
        if (!HttpMethod.GET.equals(request.method())
                || !request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Not a WebSocket upgrade request");
        }
        boolean offered = request.headers()
            .getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)
            .stream()
            .flatMap((header) -> Arrays.stream(header.split(",")))
            .anyMatch((offer) -> offer.trim().equals(this.subprotocol));
        if (!offered) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "The WebSocket subprotocol must be " + this.subprotocol);
        }
        return null;
    }

    private static void refuse(ChannelHandlerContext ctx, Refusal refusal) {
        logger.log(Level.DEBUG, "Refused a WebSocket upgrade with {0}: {1}", refusal.status(), refusal.reason());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, refusal.status(),
                Unpooled.copiedBuffer(refusal.reason(), StandardCharsets.UTF_8));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private record Refusal(HttpResponseStatus status, String reason) {
    }
}
