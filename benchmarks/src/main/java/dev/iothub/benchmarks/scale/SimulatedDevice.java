package dev.iothub.benchmarks.scale;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.protocol.Topics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.jspecify.annotations.Nullable;

/**
 * One simulated device on a shared event loop: it connects with a SAS token, then sends QoS 1 telemetry, either
 * keeping at most a window of messages unacknowledged or at a steady rate ({@link #sendSteadily}). All state is
 * confined to the channel's event loop.
 */
final class SimulatedDevice extends SimpleChannelInboundHandler<MqttMessage> {

    static final int KEEP_ALIVE_SECONDS = 240;

    private final String deviceId;

    private final String username;

    private final String password;

    private final CompletableFuture<Void> connected = new CompletableFuture<>();

    private @Nullable Channel channel;

    private @Nullable CompletableFuture<Void> telemetryDone;

    private @Nullable String topic;

    private byte @Nullable [] payload;

    private int toSend;

    private int unacknowledged;

    private int window;

    private int packetId;

    private @Nullable SteadyTraffic steady;

    /** The scheduled send times of the steady messages not yet acknowledged, oldest first. */
    private final ArrayDeque<Long> scheduledNanos = new ArrayDeque<>();

    private long firstNanos;

    private long periodNanos;

    private int steadyCount;

    private int steadySent;

    SimulatedDevice(String deviceId, String username, String password) {
        this.deviceId = deviceId;
        this.username = username;
        this.password = password;
    }

    /** Completes when the hub accepted the CONNECT; fails when it refused or the connection ended. */
    CompletableFuture<Void> connected() {
        return this.connected;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.channel = ctx.channel();
        ctx.writeAndFlush(MqttMessageBuilders.connect()
            .clientId(this.deviceId)
            .username(this.username)
            .password(this.password.getBytes(StandardCharsets.UTF_8))
            .protocolVersion(MqttVersion.MQTT_3_1_1)
            .cleanSession(true)
            .keepAlive(KEEP_ALIVE_SECONDS)
            .build());
        super.channelActive(ctx);
    }

    /** Sends {@code count} messages on the event loop; the future completes when all are acknowledged. */
    CompletableFuture<Void> sendTelemetry(byte[] payload, int count, int window) {
        String topic = Topics.telemetry(this.deviceId, null, Map.of());
        CompletableFuture<Void> done = new CompletableFuture<>();
        this.channel.eventLoop().execute(() -> {
            this.telemetryDone = done;
            this.topic = topic;
            this.payload = payload;
            this.toSend = count;
            this.window = window;
            sendMore();
        });
        return done;
    }

    /**
     * Sends {@code count} messages, the first at {@code firstNanos} ({@link System#nanoTime()} scale) and then one
     * every {@code periodNanos}, whether or not the earlier ones were acknowledged (open loop), and records each
     * acknowledgement's latency from the message's scheduled time in {@code traffic}.
     */
    void sendSteadily(byte[] payload, long firstNanos, long periodNanos, int count, SteadyTraffic traffic) {
        String topic = Topics.telemetry(this.deviceId, null, Map.of());
        this.channel.eventLoop().execute(() -> {
            this.topic = topic;
            this.payload = payload;
            this.steady = traffic;
            this.firstNanos = firstNanos;
            this.periodNanos = periodNanos;
            this.steadyCount = count;
            this.steadySent = 0;
            scheduleSteady();
        });
    }

    private void scheduleSteady() {
        long due = this.firstNanos + this.steadySent * this.periodNanos;
        this.channel.eventLoop().schedule(this::sendScheduled, due - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void sendScheduled() {
        SteadyTraffic traffic = this.steady;
        if (traffic == null || !this.channel.isActive()) {
            return;
        }
        long due = this.firstNanos + this.steadySent * this.periodNanos;
        if (this.unacknowledged >= SteadyTraffic.MAX_IN_FLIGHT) {
            traffic.skipped();
        }
        else {
            this.packetId = (this.packetId % 0xFFFF) + 1;
            this.channel.writeAndFlush(new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    new MqttPublishVariableHeader(this.topic, this.packetId), Unpooled.wrappedBuffer(this.payload)));
            this.unacknowledged++;
            this.scheduledNanos.add(due);
            traffic.sent();
        }
        this.steadySent++;
        if (this.steadySent < this.steadyCount) {
            scheduleSteady();
        }
    }

    private void sendMore() {
        boolean wrote = false;
        while (this.toSend > 0 && this.unacknowledged < this.window) {
            this.packetId = (this.packetId % 0xFFFF) + 1;
            this.channel.write(new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                    new MqttPublishVariableHeader(this.topic, this.packetId), Unpooled.wrappedBuffer(this.payload)));
            this.toSend--;
            this.unacknowledged++;
            wrote = true;
        }
        if (wrote) {
            this.channel.flush();
        }
        if (this.toSend == 0 && this.unacknowledged == 0 && this.telemetryDone != null) {
            this.telemetryDone.complete(null);
            this.telemetryDone = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
        if (message.decoderResult().isFailure()) {
            fail(new IllegalStateException("undecodable packet: " + message.decoderResult().cause()));
            ctx.close();
            return;
        }
        MqttMessageType type = message.fixedHeader().messageType();
        if (type == MqttMessageType.CONNACK) {
            MqttConnectReturnCode code = ((MqttConnAckMessage) message).variableHeader().connectReturnCode();
            if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                this.connected.complete(null);
            }
            else {
                fail(new IllegalStateException(this.deviceId + " refused: " + code));
                ctx.close();
            }
        }
        else if (type == MqttMessageType.PUBACK) {
            this.unacknowledged--;
            Long scheduled = this.scheduledNanos.poll();
            if (scheduled != null && this.steady != null) {
                this.steady.acknowledged(System.nanoTime() - scheduled);
            }
            sendMore();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            fail(new IllegalStateException(this.deviceId + ": TLS handshake failed: " + handshake.cause()));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (this.steady != null && this.steadySent < this.steadyCount) {
            this.steady.lostConnection();
        }
        fail(new IllegalStateException(this.deviceId + ": connection closed"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
    }

    private void fail(Throwable cause) {
        this.connected.completeExceptionally(cause);
        if (this.telemetryDone != null) {
            this.telemetryDone.completeExceptionally(cause);
            this.telemetryDone = null;
        }
    }

    /** Sends DISCONNECT and closes the connection. */
    void disconnect() {
        if (this.channel != null && this.channel.isActive()) {
            this.channel.writeAndFlush(new MqttMessage(
                    new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)))
                .addListener((future) -> this.channel.close());
        }
    }
}
