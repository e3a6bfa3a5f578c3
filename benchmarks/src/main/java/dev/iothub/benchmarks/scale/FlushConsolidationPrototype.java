package dev.iothub.benchmarks.scale;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.mqtt.DeviceConnection;
import dev.iothub.emulator.mqtt.SessionStore;
import dev.iothub.emulator.transport.MqttServer;
import dev.iothub.emulator.transport.TlsIdentity;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A prototype of a fix, not a product: the emulator's own hub, session store, TLS identity, listener and
 * {@link DeviceConnection}, assembled as {@code IotHubEmulator} does, plus Netty's {@link FlushConsolidationHandler}
 * between TLS and the MQTT codec. {@code DeviceConnection} calls {@code writeAndFlush} for every PUBACK, so each QoS 1
 * message costs a TLS record and a {@code write} syscall; consolidating flushes until the end of a read batch turns
 * a batch of PUBACKs into one record and one syscall.
 */
final class FlushConsolidationPrototype implements HostedHub {

    private final EventLoopGroup boss;

    private final EventLoopGroup workers;

    private final TlsIdentity tls;

    private final Hub hub;

    private final MqttServer server;

    FlushConsolidationPrototype(String address, int ioThreads) throws InterruptedException {
        this.tls = TlsIdentity.generate(List.of(address));
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("prototype-accept", true),
                NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("prototype-io", true),
                NioIoHandler.newFactory());
        Clock clock = Clock.systemUTC();
        this.hub = new Hub(this.workers, clock);
        SessionStore sessions = new SessionStore();
        this.server = MqttServer.bind(new InetSocketAddress(address, 0), this.tls.serverContext(), this.boss,
                this.workers, () -> new Installer(() -> new DeviceConnection(this.hub, sessions, clock, Duration.ZERO)));
    }

    @Override
    public int port() {
        return this.server.port();
    }

    @Override
    public String certificatePem() {
        return this.tls.certificatePem();
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
        this.hub.clearTelemetry();
    }

    @Override
    public void close() {
        this.server.close();
        this.boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        this.workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Takes the device handler's place in the listener's pipeline, adds the flush consolidation, then steps aside. */
    private static final class Installer extends ChannelHandlerAdapter {

        private final java.util.function.Supplier<DeviceConnection> device;

        Installer(java.util.function.Supplier<DeviceConnection> device) {
            this.device = device;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.pipeline().addAfter("tls", "flush-consolidation",
                    new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
            ctx.pipeline().replace(this, "device", this.device.get());
        }
    }
}
