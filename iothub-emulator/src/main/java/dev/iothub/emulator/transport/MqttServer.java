package dev.iothub.emulator.transport;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

import dev.iothub.emulator.DeviceEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * A device endpoint's listener: TLS, for {@link DeviceEndpoint#MQTT_WEBSOCKET} the WebSocket upgrade and the
 * unwrapping of binary frames, then the MQTT codec and the connection handler the caller supplies (the emulator's
 * CONNECT handler, which hands the channel to a device session once the device is authenticated). Both endpoints
 * share everything from the MQTT codec on, so a device session cannot tell them apart.
 */
public final class MqttServer implements AutoCloseable {

    /** Name of the idle handler in the pipeline; the connection handler replaces it once it knows the keep-alive. */
    public static final String IDLE_HANDLER = "idle";

    /** The path of the MQTT-over-WebSocket endpoint; a query such as {@code ?iothub-no-client-cert=true} may follow. */
    public static final String WEBSOCKET_PATH = "/$iothub/websocket";

    /** The WebSocket subprotocol a client must ask for. */
    static final String WEBSOCKET_SUBPROTOCOL = "mqtt";

    /** Largest MQTT packet accepted; larger ones end the connection (the 256 KB telemetry limit is checked above). */
    static final int MAX_PACKET_BYTES = 512 * 1024;

    /** Largest HTTP request accepted before the upgrade; an upgrade request has headers only. */
    private static final int MAX_UPGRADE_REQUEST_BYTES = 8 * 1024;

    /**
     * Until the CONNECT arrives, and over WebSocket until the upgrade and then the CONNECT have arrived: the idle
     * handler sees no MQTT packet before, so a client stuck in the HTTP upgrade is closed by the same deadline.
     */
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
     * @param endpoint which device endpoint the listener serves
     * @param address where to listen (port 0 for an ephemeral port)
     * @param sslContext the server's TLS context (see {@link TlsIdentity#deviceContext()})
     * @param boss the group accepting connections
     * @param workers the group serving connections
     * @param connectionHandler makes the handler for a new connection
     * @throws IllegalStateException if the address cannot be bound, e.g. because the port is in use
     */
    public static MqttServer bind(DeviceEndpoint endpoint, InetSocketAddress address, SslContext sslContext,
            EventLoopGroup boss, EventLoopGroup workers, Supplier<ChannelHandler> connectionHandler) {
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OUTPUT_WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast("tls", sslContext.newHandler(channel.alloc()));
                        initialize(channel.pipeline(), endpoint, connectionHandler.get());
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("Cannot listen for devices on " + address + " (" + endpoint.wireName()
                    + "): " + bound.cause().getMessage(), bound.cause());
        }
        return new MqttServer(bound.channel());
    }

    /**
     * Builds the pipeline after TLS: the one place where both endpoints' connections are assembled.
     * <p>
     * The hub closes a WebSocket connection as it closes a TCP one, without a close frame first: Netty would
     * otherwise hold the close until that frame is written, and a device that reads nothing (the very one the
     * output-stall and queue limits drop) would stay connected for its 10-second force-close timeout.
     *
     * @param pipeline a new connection's pipeline, holding the TLS handler if any
     * @param endpoint the endpoint the connection arrived at
     * @param connectionHandler the handler that takes the connection's MQTT packets
     */
    static void initialize(ChannelPipeline pipeline, DeviceEndpoint endpoint, ChannelHandler connectionHandler) {
        if (endpoint == DeviceEndpoint.MQTT_WEBSOCKET) {
            pipeline.addLast("http", new HttpServerCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES))
                .addLast("websocket-gate", new WebSocketUpgradeGate(WEBSOCKET_PATH, WEBSOCKET_SUBPROTOCOL))
                .addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(WEBSOCKET_PATH)
                    .checkStartsWith(true)
                    .subprotocols(WEBSOCKET_SUBPROTOCOL)
                    .maxFramePayloadLength(MAX_PACKET_BYTES)
                    .sendCloseFrame(null)
                    .build()))
                .addLast("websocket-frames", new BinaryFrameCodec());
        }
        pipeline.addLast("decoder", new MqttDecoder(MAX_PACKET_BYTES))
            .addLast("flow-control", new FlowControlHandler())
            .addLast("encoder", MqttEncoder.INSTANCE)
            .addLast(IDLE_HANDLER, new IdleStateHandler(CONNECT_TIMEOUT_SECONDS, 0, 0))
            .addLast("device", connectionHandler);
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
