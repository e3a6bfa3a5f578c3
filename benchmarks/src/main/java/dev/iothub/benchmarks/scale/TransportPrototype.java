package dev.iothub.benchmarks.scale;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.mqtt.ConnectHandler;
import dev.iothub.emulator.mqtt.SessionStore;
import dev.iothub.emulator.transport.MqttServer;
import dev.iothub.emulator.transport.TlsIdentity;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Prototypes of transport fixes, not products: the emulator's own hub, session store and {@link ConnectHandler},
 * assembled as {@code IotHubEmulator} does, with one or two changes to the pipeline in front of them.
 * <ul>
 * <li>{@code flush-consolidation}: the released listener ({@link MqttServer}, JDK TLS) plus Netty's
 * {@link FlushConsolidationHandler} between TLS and the MQTT codec. {@code DeviceConnection} calls
 * {@code writeAndFlush} for every PUBACK, so each QoS 1 message costs a TLS record and a {@code write} syscall;
 * consolidating flushes until the end of a read batch turns a batch of PUBACKs into one record and one syscall.</li>
 * <li>{@code openssl}: the same, with TLS by BoringSSL ({@code netty-tcnative-boringssl-static}) instead of the JDK's
 * {@code SSLEngine}, and an EC P-256 self-signed certificate like the emulator's.</li>
 * </ul>
 */
final class TransportPrototype implements HostedHub {

    private static final int MAX_PACKET_BYTES = 512 * 1024;

    private static final int CONNECT_TIMEOUT_SECONDS = 30;

    /** The emulator's default. */
    private static final Duration OUTPUT_STALL_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup boss;

    private final EventLoopGroup workers;

    private final Hub hub;

    private final String certificatePem;

    /** The OpenSSL variant's own listener, or {@code null}. */
    private final @Nullable Channel serverChannel;

    /** The released listener of the flush-consolidation variant, or {@code null}. */
    private final @Nullable MqttServer released;

    private TransportPrototype(String address, int ioThreads, boolean openSsl) throws Exception {
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("prototype-accept", true),
                NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("prototype-io", true),
                NioIoHandler.newFactory());
        Clock clock = Clock.systemUTC();
        this.hub = new Hub(this.workers, clock);
        SessionStore sessions = new SessionStore();
        ProvisioningService provisioning = new ProvisioningService("0ne00000000", address, this.hub, clock);
        Supplier<ConnectHandler> device = () -> new ConnectHandler(DeviceEndpoint.MQTT, this.hub, sessions,
                provisioning, clock, address, Duration.ZERO, OUTPUT_STALL_TIMEOUT);
        InetSocketAddress bindAddress = new InetSocketAddress(address, 0);
        if (openSsl) {
            SelfSignedCertificate certificate = new SelfSignedCertificate(address, "EC", 256);
            this.certificatePem = pem(certificate);
            this.serverChannel = bindOpenSsl(bindAddress, certificate, device);
            this.released = null;
        }
        else {
            TlsIdentity tls = TlsIdentity.generate(List.of(address));
            this.certificatePem = tls.certificatePem();
            this.serverChannel = null;
            this.released = MqttServer.bind(DeviceEndpoint.MQTT, bindAddress, tls.deviceContext(), this.boss,
                    this.workers, () -> new FlushConsolidationInstaller(device));
        }
    }

    static TransportPrototype flushConsolidation(String address, int ioThreads) throws Exception {
        return new TransportPrototype(address, ioThreads, false);
    }

    static TransportPrototype openSsl(String address, int ioThreads) throws Exception {
        return new TransportPrototype(address, ioThreads, true);
    }

    // The released MqttServer's pipeline, with BoringSSL for TLS and flush consolidation behind it.
    private Channel bindOpenSsl(InetSocketAddress address, SelfSignedCertificate certificate,
            Supplier<ConnectHandler> device) throws SSLException, InterruptedException {
        SslContext sslContext = SslContextBuilder.forServer(certificate.key(), certificate.cert())
            .sslProvider(SslProvider.OPENSSL)
            .protocols("TLSv1.3", "TLSv1.2")
            .build();
        return new ServerBootstrap().group(this.boss, this.workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline()
                        .addLast("tls", sslContext.newHandler(channel.alloc()))
                        .addLast("flush-consolidation", new FlushConsolidationHandler(
                                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true))
                        .addLast("decoder", new MqttDecoder(MAX_PACKET_BYTES))
                        .addLast("encoder", MqttEncoder.INSTANCE)
                        .addLast(MqttServer.IDLE_HANDLER, new IdleStateHandler(CONNECT_TIMEOUT_SECONDS, 0, 0))
                        .addLast("device", device.get());
                }
            })
            .bind(address).sync().channel();
    }

    private static String pem(SelfSignedCertificate certificate) throws CertificateEncodingException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.cert().getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @Override
    public int port() {
        return (this.released != null) ? this.released.port()
                : ((InetSocketAddress) this.serverChannel.localAddress()).getPort();
    }

    @Override
    public String certificatePem() {
        return this.certificatePem;
    }

    @Override
    public void register(String deviceId, String primaryKey) {
        this.hub.register(deviceId, null, primaryKey);
    }

    @Override
    public int telemetryStored() {
        return this.hub.telemetry(null).size();
    }

    @Override
    public void clearTelemetry() {
        this.hub.clearTelemetry(null);
    }

    @Override
    public void close() {
        if (this.released != null) {
            this.released.close();
        }
        else {
            this.serverChannel.close().syncUninterruptibly();
        }
        this.boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        this.workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Takes the device handler's place in the released pipeline, adds flush consolidation, then steps aside. */
    private static final class FlushConsolidationInstaller extends ChannelHandlerAdapter {

        private final Supplier<ConnectHandler> device;

        FlushConsolidationInstaller(Supplier<ConnectHandler> device) {
            this.device = device;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter("tls", "flush-consolidation", new FlushConsolidationHandler(
                    FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            ctx.pipeline().replace(this, "device", this.device.get());
        }
    }
}
