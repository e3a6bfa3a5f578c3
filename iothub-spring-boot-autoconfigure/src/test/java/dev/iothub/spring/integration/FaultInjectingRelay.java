package dev.iothub.spring.integration;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * A TCP relay on 127.0.0.1 between a device and the emulator that passes the bytes through untouched (TLS and all)
 * and injects network faults: silence, latency, a slow link and cuts.
 * <p>
 * A pause is silent: the relay stops reading, so neither side gets a FIN or an RST and the bytes already sent stay
 * held in the sockets' buffers (TCP flow control, as on a link that went dark), to be delivered if the pause ends
 * while the connection is still open. A pause applies to the connections open at the time, like a NAT that forgot
 * them: connections made later flow normally, so a client that notices can reconnect through the relay.
 * <p>
 * Latency and throttling are applied per direction on one event loop per connection, so bytes keep their order;
 * at most 64 KiB are held per direction before the relay stops reading from the sender, so
 * a slow link pushes back on the sender's TCP window instead of hiding in the relay's memory.
 */
final class FaultInjectingRelay implements AutoCloseable {

    /** A direction of the relayed bytes. */
    enum Direction {

        /** From the device (the client) to the hub. */
        DEVICE_TO_HUB,

        /** From the hub to the device. */
        HUB_TO_DEVICE

    }

    private static final int MAX_HELD_BYTES = 64 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
            new DefaultThreadFactory("fault-relay", true), NioIoHandler.newFactory());

    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    private final Channel server;

    private volatile int targetPort;

    private final AtomicLong connections = new AtomicLong();

    private volatile boolean refusing;

    private volatile Duration latency = Duration.ZERO;

    private volatile long bytesPerSecond;

    /** Opens the relay on an ephemeral port of 127.0.0.1, forwarding to {@code 127.0.0.1:targetPort}. */
    FaultInjectingRelay(int targetPort) {
        this.targetPort = targetPort;
        this.server = new ServerBootstrap().group(this.group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {

                @Override
                protected void initChannel(SocketChannel device) {
                    FaultInjectingRelay.this.accept(device);
                }

            })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .syncUninterruptibly()
            .channel();
    }

    /** Forwards new connections to {@code 127.0.0.1:port} from now on (another hub); open ones stay. */
    void forwardTo(int port) {
        this.targetPort = port;
    }

    /** The port devices connect to. */
    int port() {
        return ((InetSocketAddress) this.server.localAddress()).getPort();
    }

    /** How many connections the relay accepted so far. */
    long connections() {
        return this.connections.get();
    }

    /** Silences every connection open now, in both directions, without closing it. */
    void pause() {
        pause(Direction.DEVICE_TO_HUB);
        pause(Direction.HUB_TO_DEVICE);
    }

    /** Silences one direction of every connection open now, without closing it. */
    void pause(Direction direction) {
        this.links.forEach((link) -> link.pipe(direction).pause());
    }

    /** Ends every pause; held bytes flow on. */
    void resume() {
        this.links.forEach((link) -> {
            link.deviceToHub.resume();
            link.hubToDevice.resume();
        });
    }

    /** Delays the bytes of every connection by {@code latency} in each direction. */
    void latency(Duration latency) {
        this.latency = latency;
    }

    /** Limits each direction of every connection to {@code bytesPerSecond}; 0 for no limit. */
    void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Closes every relayed connection, both sides, as a network cut that both ends notice. */
    void cutAll() {
        List.copyOf(this.links).forEach(Link::close);
    }

    /**
     * Closes every relayed connection once {@code bytes} more bytes have been forwarded in {@code direction}; the
     * bytes past that mark are not forwarded.
     */
    void cutAfter(Direction direction, long bytes) {
        AtomicLong budget = new AtomicLong(bytes);
        this.links.forEach((link) -> link.pipe(direction).cutAfter(budget));
    }

    /** While refusing, new connections are closed at once, like a hub that is down. */
    void refuseConnections(boolean refuse) {
        this.refusing = refuse;
    }

    private void accept(Channel device) {
        this.connections.incrementAndGet();
        if (this.refusing) {
            device.close();
            return;
        }
        Link link = new Link(device);
        this.links.add(link);
        new Bootstrap().group(device.eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(link.hubToDevice)
            .connect("127.0.0.1", this.targetPort)
            .addListener((ChannelFutureListener) (connected) -> {
                if (!connected.isSuccess()) {
                    link.close();
                    return;
                }
                link.connected(connected.channel());
            });
        device.pipeline().addLast(link.deviceToHub);
    }

    @Override
    public void close() {
        if (this.group.isShuttingDown()) {
            return;
        }
        this.server.close().syncUninterruptibly();
        cutAll();
        this.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One relayed connection: the device's socket and the relay's socket to the hub. */
    private final class Link {

        final Channel device;

        volatile @Nullable Channel hub;

        final Pipe deviceToHub = new Pipe(this, Direction.DEVICE_TO_HUB);

        final Pipe hubToDevice = new Pipe(this, Direction.HUB_TO_DEVICE);

        Link(Channel device) {
            this.device = device;
        }

        void connected(Channel hub) {
            this.hub = hub;
            this.deviceToHub.readIfAllowed();
            this.hubToDevice.readIfAllowed();
        }

        Pipe pipe(Direction direction) {
            return (direction == Direction.DEVICE_TO_HUB) ? this.deviceToHub : this.hubToDevice;
        }

        void close() {
            FaultInjectingRelay.this.links.remove(this);
            EventLoop loop = this.device.eventLoop();
            if (!loop.isShuttingDown()) {
                loop.execute(() -> {
                    this.deviceToHub.discard();
                    this.hubToDevice.discard();
                });
            }
            this.device.close();
            Channel hubSide = this.hub;
            if (hubSide != null) {
                hubSide.close();
            }
        }

    }

    /**
     * One direction of a link, living on the link's event loop: reads from its source only while not paused and not
     * holding too much, and writes to the other side after the latency and the link's serialisation time.
     */
    private final class Pipe extends ChannelInboundHandlerAdapter {

        private final Link link;

        private final Direction direction;

        private volatile boolean paused;

        private volatile @Nullable AtomicLong cutBudget;

        private final Deque<ByteBuf> parked = new ArrayDeque<>();

        private long held;

        private long linkFreeAtNanos;

        private long lastDeliveryNanos;

        Pipe(Link link, Direction direction) {
            this.link = link;
            this.direction = direction;
        }

        private @Nullable Channel source() {
            return (this.direction == Direction.DEVICE_TO_HUB) ? this.link.device : this.link.hub;
        }

        private @Nullable Channel target() {
            return (this.direction == Direction.DEVICE_TO_HUB) ? this.link.hub : this.link.device;
        }

        void pause() {
            this.paused = true;
            Channel source = source();
            if (source != null) {
                source.eventLoop().execute(() -> source.config().setAutoRead(false));
            }
        }

        void resume() {
            this.paused = false;
            Channel source = source();
            if (source != null && this.link.hub != null) {
                source.eventLoop().execute(() -> {
                    while (!this.parked.isEmpty()) {
                        forwardLater(this.parked.poll());
                    }
                    readIfAllowed();
                });
            }
        }

        /** Drops what a pause held; on the link's event loop. */
        void discard() {
            this.parked.forEach(ReferenceCountUtil::release);
            this.parked.clear();
        }

        void cutAfter(AtomicLong budget) {
            this.cutBudget = budget;
        }

        /** Reads from the source while nothing stops it; on the link's event loop. */
        void readIfAllowed() {
            Channel source = source();
            if (source == null || this.link.hub == null) {
                return;
            }
            boolean allowed = !this.paused && this.held < MAX_HELD_BYTES && source.isActive();
            source.config().setAutoRead(allowed);
            if (allowed) {
                source.read();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            if (this.paused) {
                // Read as the pause took effect: held until resumed, like the bytes still in the sockets' buffers
                this.parked.add(bytes);
                return;
            }
            AtomicLong budget = this.cutBudget;
            if (budget != null) {
                long left = budget.addAndGet(-bytes.readableBytes());
                if (left < 0) {
                    int allowed = (int) Math.max(0, bytes.readableBytes() + left);
                    ByteBuf head = bytes.readRetainedSlice(allowed);
                    ReferenceCountUtil.release(bytes);
                    forwardLater(head);
                    ctx.channel().eventLoop().schedule(FaultInjectingRelay.this::cutAll, delayNanos(0),
                            TimeUnit.NANOSECONDS);
                    return;
                }
            }
            forwardLater(bytes);
        }

        /** Schedules bytes for the other side; deadlines never decrease, so the event loop keeps their order. */
        private void forwardLater(ByteBuf bytes) {
            int size = bytes.readableBytes();
            this.held += size;
            EventLoop loop = this.link.device.eventLoop();
            loop.schedule(() -> {
                Channel target = target();
                if (target == null) {
                    ReferenceCountUtil.release(bytes);
                    return;
                }
                target.writeAndFlush(bytes).addListener((written) -> {
                    this.held -= size;
                    readIfAllowed();
                });
            }, delayNanos(size), TimeUnit.NANOSECONDS);
            if (this.held >= MAX_HELD_BYTES) {
                source().config().setAutoRead(false);
            }
        }

        /** When these bytes leave the far end of the link: after the previous ones, their own time, and the latency. */
        private long delayNanos(int size) {
            long now = System.nanoTime();
            long rate = FaultInjectingRelay.this.bytesPerSecond;
            long start = Math.max(now, this.linkFreeAtNanos);
            long serialisation = (rate > 0) ? TimeUnit.SECONDS.toNanos(size) / rate : 0;
            this.linkFreeAtNanos = start + serialisation;
            this.lastDeliveryNanos = Math.max(this.lastDeliveryNanos,
                    this.linkFreeAtNanos + FaultInjectingRelay.this.latency.toNanos());
            return Math.max(0, this.lastDeliveryNanos - now);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The other side sees the close after the bytes still on their way
            EventLoop loop = ctx.channel().eventLoop();
            loop.schedule(this.link::close, delayNanos(0), TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            this.link.close();
        }

    }

}
