package dev.iothub.emulator.rest;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ServiceEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * The service REST API's HTTP/1.1 listener, on Netty's HTTP codec and the emulator's event loops. Reading a request
 * takes no thread; the routes, whose resources call only the {@link IotHubEmulator} Java API, run on a pool of at
 * most {@value #MAX_THREADS} daemon threads named {@code iothub-emulator-rest-...} that end after
 * {@value #IDLE_THREAD_SECONDS} s without work.
 * <p>
 * A connection's pipeline: the HTTP codec, keep-alive, the time limits ({@link RequestDeadlineHandler}), aggregation
 * of a body up to {@value RestDispatcher#MAX_BODY_BYTES} bytes ({@link LimitedRequestAggregator}), one request at a
 * time (a {@link FlowControlHandler}, as connections read only when asked to), and the {@link RestDispatcher}.
 */
final class ServiceApiServer implements ServiceEndpoint {

    /** The most routes run at once; further requests wait, at most one per connection. */
    static final int MAX_THREADS = 4;

    private static final int IDLE_THREAD_SECONDS = 30;

    /** A request line holds a path with two percent-encoded ids of up to 128 characters each, and a query. */
    private static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;

    /** Room for cloud-to-device application properties up to IoT Hub's 64 KB message limit, checked by the hub. */
    private static final int MAX_HEADER_BYTES = 128 * 1024;

    private final Channel serverChannel;

    private final ThreadPoolExecutor executor;

    private ServiceApiServer(Channel serverChannel, ThreadPoolExecutor executor) {
        this.serverChannel = serverChannel;
        this.executor = executor;
    }

    /**
     * Binds the listener.
     *
     * @throws IllegalStateException when the address cannot be bound, e.g. because the port is in use
     */
    static ServiceApiServer bind(IotHubEmulator emulator, ServiceEndpoint.Settings settings) {
        RestRouter router = new RestRouter();
        new DeviceRegistryResource(emulator).addTo(router);
        TwinResource twins = new TwinResource(emulator);
        twins.addTo(router);
        new DeviceQueryResource(emulator, twins).addTo(router);
        new DirectMethodResource(emulator).addTo(router);
        new DeviceMessagesResource(emulator).addTo(router);
        new EmulatorResource(emulator).addTo(router);
        new ProvisioningResource(emulator).addTo(router);
        new ConsoleResource().addTo(router);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, IDLE_THREAD_SECONDS,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new DefaultThreadFactory("iothub-emulator-rest", true));
        executor.allowCoreThreadTimeOut(true);
        ServerBootstrap bootstrap = new ServerBootstrap().group(settings.boss(), settings.workers())
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(pipeline(settings.tls(), router, new ServiceRequestGuard(settings.access()), executor,
                    settings.requestTimeout(), settings.idleTimeout()));
        ChannelFuture bound = bootstrap.bind(settings.address()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            executor.shutdownNow();
            throw new IllegalStateException("Cannot listen for REST requests on " + settings.address()
                    + ((settings.tls() != null) ? " (HTTPS)" : "") + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return new ServiceApiServer(bound.channel(), executor);
    }

    /**
     * The handlers of a REST connection, which reads only when its dispatcher asks for the next request.
     *
     * @param tls the server TLS context for HTTPS, or {@code null} for plain HTTP
     */
    static ChannelHandler pipeline(@Nullable SSLContext tls, RestRouter router, ServiceRequestGuard guard,
            Executor executor, Duration requestTimeout, Duration idleTimeout) {
        HttpDecoderConfig limits = new HttpDecoderConfig().setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES)
            .setMaxHeaderSize(MAX_HEADER_BYTES);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.config().setAutoRead(false);
                if (tls != null) {
                    SSLEngine engine = tls.createSSLEngine();
                    engine.setUseClientMode(false);
                    engine.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
                    channel.pipeline().addLast("tls", new SslHandler(engine));
                }
                channel.pipeline()
                    .addLast("http", new HttpServerCodec(limits))
                    .addLast("keep-alive", new HttpServerKeepAliveHandler())
                    .addLast("deadline", new RequestDeadlineHandler(requestTimeout, idleTimeout))
                    .addLast("aggregator", new LimitedRequestAggregator(RestDispatcher.MAX_BODY_BYTES))
                    .addLast("one-at-a-time", new FlowControlHandler())
                    .addLast("dispatcher", new RestDispatcher(router, guard, executor));
            }
        };
    }

    @Override
    public int port() {
        return ((InetSocketAddress) this.serverChannel.localAddress()).getPort();
    }

    /**
     * Stops listening and stops the REST threads; answers still pending (direct methods) are dropped. Open
     * connections close with the event loops they run on, the emulator's.
     */
    @Override
    public void close() {
        this.serverChannel.close().syncUninterruptibly();
        this.executor.shutdownNow();
        try {
            this.executor.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
