package dev.iothub.emulator.mqtt;

import java.lang.System.Logger.Level;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * What every accepted MQTT session does alike, hub or Device Provisioning Service, in front of the handler that
 * serves it: answers PINGREQ, closes the connection on DISCONNECT, on a malformed or oversized packet, when the
 * keep-alive expires and on a connection error, and flushes what the session wrote while reading a batch of packets
 * (acknowledgements go out in one flush at its end). Everything else passes on to the session.
 */
final class MqttSessionHousekeeping extends ChannelInboundHandlerAdapter {

    private static final System.Logger logger = System.getLogger(MqttSessionHousekeeping.class.getName());

    private final String identity;

    /** @param identity the device, module or registration id the session's log lines name */
    MqttSessionHousekeeping(String identity) {
        this.identity = identity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) throws Exception {
        if (!(message instanceof MqttMessage mqtt)) {
            ctx.fireChannelRead(message);
            return;
        }
        if (mqtt.decoderResult().isFailure()) {
            String cause = mqtt.decoderResult().cause().getMessage();
            ReferenceCountUtil.release(message);
            close(ctx, "malformed or oversized MQTT packet: " + cause);
            return;
        }
        MqttMessageType type = mqtt.fixedHeader().messageType();
        if (type == MqttMessageType.PINGREQ) {
            ctx.writeAndFlush(MqttMessage.PINGRESP);
        }
        else if (type == MqttMessageType.DISCONNECT) {
            ctx.close();
        }
        else {
            ctx.fireChannelRead(message);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            close(ctx, "keep-alive expired");
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.log(Level.DEBUG, "Connection error of {0}: {1}", this.identity, cause.toString());
        ctx.close();
    }

    private void close(ChannelHandlerContext ctx, String reason) {
        if (ctx.channel().isOpen()) {
            logger.log(Level.DEBUG, "Closing connection of {0}: {1}", this.identity, reason);
            ctx.close();
        }
    }

}
