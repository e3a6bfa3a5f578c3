package dev.iothub.emulator.transport;

import java.lang.System.Logger.Level;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Carries MQTT bytes in WebSocket frames: the content of binary and continuation frames goes on to the MQTT decoder
 * (which accumulates, so a frame may hold part of a packet or several), and every buffer the MQTT encoder writes
 * leaves as one binary frame. A text frame is refused with close status 1003 (unsupported data). Netty's WebSocket
 * handler in front answers pings and close frames.
 */
final class BinaryFrameCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    private static final System.Logger logger = System.getLogger(BinaryFrameCodec.class.getName());

    private boolean refused;

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
        out.add(new BinaryWebSocketFrame(bytes.retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (this.refused) {
            return;
        }
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            out.add(frame.content().retain());
            return;
        }
        this.refused = true;
        logger.log(Level.DEBUG, "Closing a WebSocket connection that sent a {0}", frame.getClass().getSimpleName());
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "MQTT needs binary frames"))
            .addListener(ChannelFutureListener.CLOSE);
    }
}
