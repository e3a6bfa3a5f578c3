package dev.iothub.emulator.transport;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * The device endpoint's listener: TLS, then the MQTT codec, then the connection handler the caller supplies (the
 * emulator's CONNECT handler, which hands the channel to a device session once the device is authenticated).
 */
public final class MqttServer implements AutoCloseable {

    /** Name of the idle handler in the pipeline; the connection handler replaces it once it knows the keep-alive. */
    public static final String IDLE_HANDLER = "idle";

    /** Largest MQTT packet accepted; larger ones end the connection (the 256 KB telemetry limit is checked above). */
    static final int MAX_PACKET_BYTES = 512 * 1024;

    private static final int CONNECT_TIMEOUT_SECONDS = 30;

    /**
     * A connection whose queue for the device exceeds the high mark stops reading until the queue drains below the
     * low mark (see the connection handler); the flow-control handler holds packets already decoded meanwhile.
     */
    private static final WriteBufferWaterMark OUTPUT_WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final Channel serverChannel;

    private MqttServer(Channel serverChannel) {
        this.serverChannel = serverChannel;
    }

    /**
     * Binds the listener.
     *
     * @param address where to listen (port 0 for an ephemeral port)
     * @param sslContext the server's TLS context
     * @param boss the group accepting connections
     * @param workers the group serving connections
     * @param connectionHandler makes the handler for a new connection
     * @throws IllegalStateException if the address cannot be bound, e.g. because the port is in use
     */
    public static MqttServer bind(InetSocketAddress address, SSLContext sslContext, EventLoopGroup boss,
            EventLoopGroup workers, Supplier<ChannelHandler> connectionHandler) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OUTPUT_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SSLEngine engine = sslContext.createSSLEngine();
                        engine.setUseClientMode(false);
                        engine.setWantClientAuth(true);
                        engine.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
                        channel.pipeline()
                            .addLast("tls", new SslHandler(engine))
                            .addLast("decoder", new MqttDecoder(MAX_PACKET_BYTES))
                            .addLast("flow-control", new FlowControlHandler())
                            .addLast("encoder", MqttEncoder.INSTANCE)
                            .addLast(IDLE_HANDLER, new IdleStateHandler(CONNECT_TIMEOUT_SECONDS, 0, 0))
                            .addLast("device", connectionHandler.get());
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("Cannot listen for devices on " + address + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return new MqttServer(bound.channel());
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) this.serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        this.serverChannel.close().syncUninterruptibly();
    }
}
