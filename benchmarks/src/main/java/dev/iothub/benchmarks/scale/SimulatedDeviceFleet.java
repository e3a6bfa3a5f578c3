package dev.iothub.benchmarks.scale;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Thousands of simulated devices sharing one small event-loop group: each has its own TLS connection and SAS token,
 * so a device costs a socket and a few kilobytes rather than Paho's several threads. Every connection makes a full
 * TLS handshake: its engine is created without the peer's host and port, which is the key of the JDK's client
 * session cache, so there is no session to resume. Connections are bound round-robin to the given local addresses,
 * so that each address's ephemeral ports last for its share of them.
 */
final class SimulatedDeviceFleet implements AutoCloseable {

    // Generous: on 2 shared cores a handshake queues behind the others in progress.
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 30_000;

    private final EventLoopGroup group;

    private final Bootstrap bootstrap;

    private final SslContext sslContext;

    private final String host;

    private final int port;

    private final List<InetSocketAddress> localAddresses;

    private final List<SimulatedDevice> devices = new ArrayList<>();

    SimulatedDeviceFleet(String host, int port, SslContext sslContext, int threads) {
        this(host, port, sslContext, threads, List.of());
    }

    /** A fleet whose connection {@code i} is bound to {@code localAddresses[i % size]} (none: any address). */
    SimulatedDeviceFleet(String host, int port, SslContext sslContext, int threads, List<String> localAddresses) {
        this.host = host;
        this.port = port;
        this.sslContext = sslContext;
        this.localAddresses = localAddresses.stream().map((address) -> new InetSocketAddress(address, 0)).toList();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("benchmark-fleet", true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(this.group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /** The devices connected so far. */
    int size() {
        return this.devices.size();
    }

    /**
     * Connects devices {@code prefix0..prefix(count-1)} with at most {@code concurrency} handshakes in progress,
     * starting no new one after the first failure.
     */
    ConnectOutcome connect(String prefix, int count, String primaryKey, int concurrency, Deadline deadline)
            throws InterruptedException {
        Instant expiry = Instant.now().plus(Duration.ofHours(2));
        Semaphore inProgress = new Semaphore(concurrency);
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<SimulatedDevice> started = new ArrayList<>();
        String stoppedBecause = null;
        long start = System.nanoTime();
        for (int i = 0; i < count && firstFailure.get() == null; i++) {
            if (!inProgress.tryAcquire(deadline.remainingNanos(), TimeUnit.NANOSECONDS)) {
                stoppedBecause = "deadline passed after starting " + i + " connections";
                break;
            }
            String deviceId = prefix + i;
            SimulatedDevice device = new SimulatedDevice(deviceId, MqttUsername.format(this.host, deviceId, null, null),
                    SasToken.create(this.host, deviceId, null, primaryKey, expiry).text());
            device.connected().whenComplete((ignored, failure) -> {
                if (failure != null) {
                    firstFailure.compareAndSet(null, failure);
                }
                inProgress.release();
            });
            InetSocketAddress remote = new InetSocketAddress(this.host, this.port);
            Bootstrap connection = this.bootstrap.clone().handler(initializer(device));
            (this.localAddresses.isEmpty() ? connection.connect(remote)
                    : connection.connect(remote, this.localAddresses.get(i % this.localAddresses.size())))
                .addListener((future) -> {
                    if (!future.isSuccess()) {
                        device.connected().completeExceptionally(future.cause());
                    }
                });
            started.add(device);
        }
        String pending = awaitAll(started.stream().map(SimulatedDevice::connected).toList(), deadline);
        long elapsed = System.nanoTime() - start;
        started.stream().filter((device) -> device.connected().isDone())
            .filter((device) -> !device.connected().isCompletedExceptionally())
            .forEach(this.devices::add);
        String error = (firstFailure.get() != null) ? "first failure: " + firstFailure.get()
                : (stoppedBecause != null) ? stoppedBecause : pending;
        return new ConnectOutcome(this.devices.size(), elapsed, error);
    }

    /** Every connected device sends {@code perDevice} messages; returns the elapsed nanoseconds or fails. */
    long sendTelemetry(byte[] payload, int perDevice, int window, Deadline deadline) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>(this.devices.size());
        long start = System.nanoTime();
        for (SimulatedDevice device : this.devices) {
            done.add(device.sendTelemetry(payload, perDevice, window));
        }
        String error = awaitAll(done, deadline);
        if (error != null) {
            throw new IllegalStateException(error);
        }
        return System.nanoTime() - start;
    }

    /**
     * Every connected device sends {@code seconds} messages, one a second, device {@code i} of {@code n} starting
     * {@code i/n} of a second after {@code startNanos}, so the fleet offers {@code n} messages a second evenly.
     */
    void sendSteadily(byte[] payload, long startNanos, int seconds, SteadyTraffic traffic) {
        long period = TimeUnit.SECONDS.toNanos(1);
        int n = this.devices.size();
        for (int i = 0; i < n; i++) {
            this.devices.get(i).sendSteadily(payload, startNanos + period * i / n, period, seconds, traffic);
        }
    }

    private ChannelInitializer<SocketChannel> initializer(SimulatedDevice device) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                // No peer host and port: nothing to resume a session with, so every connection is a full handshake
                SslHandler tls = SimulatedDeviceFleet.this.sslContext.newHandler(channel.alloc());
                tls.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
                channel.pipeline()
                    .addLast("tls", tls)
                    .addLast("decoder", new MqttDecoder())
                    .addLast("encoder", MqttEncoder.INSTANCE)
                    .addLast("device", device);
            }
        };
    }

    /** Waits for all futures; returns the first failure's description, or {@code null} when all succeeded. */
    private static @Nullable String awaitAll(List<CompletableFuture<Void>> futures, Deadline deadline)
            throws InterruptedException {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            return null;
        }
        catch (ExecutionException ex) {
            long failed = futures.stream().filter(CompletableFuture::isCompletedExceptionally).count();
            return failed + " of " + futures.size() + " failed, e.g. " + ex.getCause();
        }
        catch (TimeoutException ex) {
            long pending = futures.stream().filter((future) -> !future.isDone()).count();
            return pending + " of " + futures.size() + " still pending at the deadline";
        }
    }

    /** Disconnects every device and stops the event loops. */
    @Override
    public void close() {
        this.devices.forEach(SimulatedDevice::disconnect);
        this.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /**
     * How a connect step ended.
     *
     * @param connected devices connected in total
     * @param elapsedNanos time the step took
     * @param error the failure that stopped it, or {@code null}
     */
    record ConnectOutcome(int connected, long elapsedNanos, @Nullable String error) {
    }
}
