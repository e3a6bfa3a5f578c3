package dev.iothub.emulator.mqtt;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.hub.DeviceLink;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.hub.QueuedMessage;
import dev.iothub.emulator.hub.ReportedPatchResult;
import dev.iothub.emulator.hub.SubscriptionFaults;
import dev.iothub.protocol.DeviceTopic;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SubscriptionFilter;
import dev.iothub.protocol.Topics;
import dev.iothub.protocol.UrlEncoding;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/**
 * The session of one authenticated device connection, from the accepted CONNECT to close: it turns MQTT packets into
 * hub operations and carries the hub's events back as packets. The {@link ConnectHandler} puts it in the pipeline.
 * Every field is confined to the channel's event loop, except the session's subscriptions, which the hub may read
 * from other threads.
 * <p>
 * Like IoT Hub, it answers protocol errors by closing the connection: a QoS 2 publish, a publish to a topic the hub
 * does not accept, with a malformed percent-escape or to another identity, telemetry over 256 KB, an unsupported
 * subscription filter.
 * <p>
 * A device that does not read what the hub writes is slowed down, then dropped: while more than the write buffer's
 * high-water mark is queued for it, the connection stops reading its requests (so they cannot pile up answers);
 * if that lasts longer than the stall timeout, or the hub's own messages push the queue over
 * {@value #MAX_QUEUED_OUTPUT_BYTES} bytes, the connection is closed.
 * <p>
 * It is over 300 lines because a session's state lives in one place (in-flight deliveries, subscriptions, the
 * output budget), and every packet type after CONNECT reads or changes it; the CONNECT itself is handled apart.
 */
public final class DeviceConnection extends SimpleChannelInboundHandler<MqttMessage> implements DeviceLink {

    /** IoT Hub's limit for one device-to-cloud message. */
    static final int MAX_TELEMETRY_BYTES = 256 * 1024;

    /** The most the hub queues for one device; a message that would go beyond closes the connection. */
    static final int MAX_QUEUED_OUTPUT_BYTES = 4 * 1024 * 1024;

    private static final System.Logger logger = System.getLogger(DeviceConnection.class.getName());

    private final DeviceEndpoint endpoint;

    private final Hub hub;

    private final SessionStore sessions;

    private final Channel channel;

    private final DeviceIdentity identity;

    private final @Nullable String certificateThumbprint;

    private final DeviceSession session;

    private final boolean cleanSession;

    private final Duration outputStallTimeout;

    private final Map<Integer, QueuedMessage> inFlight = new HashMap<>();

    private final Map<Integer, CompletableFuture<Void>> rawInFlight = new HashMap<>();

    private @Nullable ScheduledFuture<?> tokenExpiry;

    private @Nullable ScheduledFuture<?> outputStall;

    private int lastPacketId;

    DeviceConnection(DeviceEndpoint endpoint, Hub hub, SessionStore sessions, Channel channel, DeviceIdentity identity,
            @Nullable String certificateThumbprint, DeviceSession session, boolean cleanSession,
            Duration outputStallTimeout) {
        this.endpoint = endpoint;
        this.hub = hub;
        this.sessions = sessions;
        this.channel = channel;
        this.identity = identity;
        this.certificateThumbprint = certificateThumbprint;
        this.session = session;
        this.cleanSession = cleanSession;
        this.outputStallTimeout = outputStallTimeout;
    }

    /**
     * Starts the session once the handler is in the pipeline: becomes the identity's connection, accepts the CONNECT
     * and delivers the waiting cloud-to-device messages.
     *
     * @param tokenExpiryDelay when to close because the SAS token expired, or {@code null} for never
     */
    void open(ConnectAuthenticator.Authenticated accepted, @Nullable Duration tokenExpiryDelay,
            boolean sessionPresent) {
        this.hub.attach(this.identity.id(), this, accepted.modelId(), accepted.authType());
        if (tokenExpiryDelay != null) {
            this.tokenExpiry = this.channel.eventLoop()
                .schedule(() -> close("SAS token expired"), tokenExpiryDelay.toMillis(), TimeUnit.MILLISECONDS);
        }
        this.channel.writeAndFlush(MqttMessageBuilders.connAck()
            .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
            .sessionPresent(sessionPresent)
            .build());
        logger.log(Level.DEBUG, "Device {0} connected through {1} (clean session {2})", this.identity.id(),
                this.endpoint.wireName(), this.cleanSession);
        this.hub.deliverCloudToDevice(this.identity.id(), this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
        handle(message.fixedHeader().messageType(), message);
        if (!this.channel.isWritable()) {
            pauseReading();
        }
    }

    private void handle(MqttMessageType type, MqttMessage message) {
        switch (type) {
            case PUBLISH -> publish((MqttPublishMessage) message);
            case PUBACK -> acknowledged(((MqttPubAckMessage) message).variableHeader().messageId());
            case SUBSCRIBE -> subscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) message);
            default -> close("unsupported packet " + type);
        }
    }


    private void publish(MqttPublishMessage publish) {
        MqttQoS qos = publish.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE || qos == MqttQoS.FAILURE) {
            close("QoS 2 publish is not supported");
            return;
        }
        String topic = publish.variableHeader().topicName();
        byte[] body = ByteBufUtil.getBytes(publish.payload());
        Optional<DeviceTopic> parsed = DeviceTopic.parse(topic);
        if (parsed.isEmpty()) {
            close((hasMalformedEscape(topic) ? "publish to a topic with a malformed percent-escape: "
                    : "publish to a topic IoT Hub does not accept: ") + topic);
            return;
        }
        DeviceTopic deviceTopic = parsed.get();
        if (deviceTopic instanceof DeviceTopic.Telemetry telemetry) {
            if (!MqttUsername.clientId(telemetry.deviceId(), telemetry.moduleId()).equals(this.identity.id())) {
                close("telemetry on another identity's topic: " + topic);
                return;
            }
            if (body.length + topic.length() > MAX_TELEMETRY_BYTES) {
                close("telemetry message over 256 KB");
                return;
            }
            this.hub.receiveTelemetry(this.identity, body, telemetry.properties(), publish.fixedHeader().isRetain());
            acknowledge(publish);
        }
        else if (deviceTopic instanceof DeviceTopic.TwinGet get) {
            acknowledge(publish);
            respondToTwinRequest(Topics.twinResponse(200, get.requestId(), null),
                    this.hub.twinForDevice(this.identity.id()));
        }
        else if (deviceTopic instanceof DeviceTopic.ReportedPatch patch) {
            acknowledge(publish);
            ReportedPatchResult result = this.hub.patchReported(this.identity.id(), body, patch.expectedVersion());
            respondToTwinRequest(Topics.twinResponse(result.status(), patch.requestId(), result.version()),
                    new byte[0]);
        }
        else if (deviceTopic instanceof DeviceTopic.MethodResponse response) {
            acknowledge(publish);
            this.hub.methodResponse(this.identity.id(), response.requestId(), response.status(), body);
        }
    }

    private static boolean hasMalformedEscape(String topic) {
        try {
            UrlEncoding.decode(topic);
            return false;
        }
        catch (IllegalArgumentException ex) {
            return true;
        }
    }

    private void respondToTwinRequest(String topic, byte[] body) {
        if (this.session.isSubscribed(SubscriptionFilter.TWIN_RESPONSES)) {
            publish(topic, body);
        }
    }

    private void acknowledge(MqttPublishMessage publish) {
        if (publish.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
            this.channel.write(MqttMessageBuilders.pubAck()
                .packetId(publish.variableHeader().packetId())
                .build());
        }
    }

    private void acknowledged(int packetId) {
        QueuedMessage message = this.inFlight.remove(packetId);
        if (message != null) {
            this.hub.cloudToDeviceAcknowledged(this.identity.id(), message);
        }
        CompletableFuture<Void> raw = this.rawInFlight.remove(packetId);
        if (raw != null) {
            raw.complete(null);
        }
    }

    private void subscribe(MqttSubscribeMessage subscribe) {
        SubscriptionFaults faults = this.hub.subscriptionFaults();
        if (faults.ignores(this.identity.id())) {
            logger.log(Level.DEBUG, "Leaving a SUBSCRIBE of {0} unanswered (fault injection)", this.identity.id());
            return;
        }
        MqttMessageBuilders.SubAckBuilder subAck = MqttMessageBuilders.subAck()
            .packetId(subscribe.variableHeader().messageId());
        for (MqttTopicSubscription subscription : subscribe.payload().topicSubscriptions()) {
            String filter = subscription.topicFilter();
            Optional<SubscriptionFilter> kind = SubscriptionFilter.classify(filter, this.identity.deviceId(),
                    this.identity.moduleId());
            if (kind.isEmpty()) {
                close("subscription to a filter IoT Hub does not support: " + filter);
                return;
            }
            if (!this.session.subscribe(filter, kind.get())) {
                close("more than " + DeviceSession.MAX_SUBSCRIPTIONS + " subscriptions");
                return;
            }
            subAck.addGrantedQos(faults.refuses(this.identity.id(), filter) ? MqttQoS.FAILURE
                    : MqttQoS.valueOf(Math.min(subscription.qualityOfService().value(), MqttQoS.AT_LEAST_ONCE.value())));
        }
        this.channel.writeAndFlush(subAck.build());
        this.hub.deliverCloudToDevice(this.identity.id(), this);
    }

    private void unsubscribe(MqttUnsubscribeMessage unsubscribe) {
        unsubscribe.payload().topics().forEach(this.session::unsubscribe);
        this.channel.writeAndFlush(MqttMessageBuilders.unsubAck()
            .packetId(unsubscribe.variableHeader().messageId())
            .build());
    }

    @Override
    public DeviceEndpoint endpoint() {
        return this.endpoint;
    }

    @Override
    public @Nullable String certificateThumbprint() {
        return this.certificateThumbprint;
    }

    @Override
    public boolean isSubscribed(SubscriptionFilter filter) {
        return this.session.isSubscribed(filter);
    }

    @Override
    public void desiredPropertiesChanged(long version, byte[] patch) {
        publish(Topics.desiredPatch(version), patch);
    }

    @Override
    public void methodRequest(String methodName, String requestId, byte[] payload) {
        publish(Topics.methodRequest(methodName, requestId), payload);
    }

    /** Publishes at QoS 0: twin responses, desired notifications, method requests. */
    private void publish(String topic, byte[] payload) {
        if (wouldOverflow(payload)) {
            return;
        }
        this.channel.writeAndFlush(MqttMessageBuilders.publish()
            .topicName(topic)
            .qos(MqttQoS.AT_MOST_ONCE)
            .payload(Unpooled.wrappedBuffer(payload))
            .build());
    }

    @Override
    public CompletableFuture<Void> publishRaw(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        this.channel.eventLoop().execute(() -> {
            if (!this.channel.isActive()) {
                done.completeExceptionally(new IllegalStateException("The connection closed"));
                return;
            }
            MqttQoS level = (qos == 1) ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
            int packetId = (qos == 1) ? nextPacketId() : 0;
            if (qos == 1) {
                this.rawInFlight.put(packetId, done);
            }
            MqttPublishMessage publish = MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(level)
                .messageId(packetId)
                .payload(Unpooled.wrappedBuffer(payload))
                .build();
            this.channel.writeAndFlush(publish).addListener((future) -> {
                if (!future.isSuccess()) {
                    done.completeExceptionally(future.cause());
                }
                else if (qos != 1) {
                    done.complete(null);
                }
            });
        });
        return done;
    }

    @Override
    public void deliver(QueuedMessage message) {
        this.channel.eventLoop().execute(() -> {
            if (!this.channel.isActive()) {
                return;
            }
            if (wouldOverflow(message.body())) {
                return;
            }
            int packetId = nextPacketId();
            this.inFlight.put(packetId, message);
            this.channel.writeAndFlush(MqttMessageBuilders.publish()
                .topicName(Topics.cloudToDevice(this.identity.deviceId(), this.identity.moduleId(), message.properties()))
                .qos(MqttQoS.AT_LEAST_ONCE)
                .messageId(packetId)
                .payload(Unpooled.wrappedBuffer(message.body()))
                .build());
        });
    }

    /** Closes the connection instead of queuing a message that would take its backlog over the limit. */
    private boolean wouldOverflow(byte[] payload) {
        if (this.channel.bytesBeforeWritable() + payload.length <= MAX_QUEUED_OUTPUT_BYTES) {
            return false;
        }
        closeStalled("the device does not read its messages and more than " + MAX_QUEUED_OUTPUT_BYTES
                + " bytes would be queued for it");
        return true;
    }

    /** Closes a connection whose device reads nothing, without waiting to flush TLS's close_notify to it. */
    private void closeStalled(String reason) {
        SslHandler tls = this.channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.setCloseNotifyFlushTimeoutMillis(1);
        }
        close(reason);
    }

    /**
     * Stops reading from a device that does not drain the hub's messages, and closes its connection if it still has
     * not drained them by the stall timeout. Reading resumes when the queue is below the low-water mark again.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            resumeReading();
        }
        else {
            pauseReading();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void pauseReading() {
        this.channel.config().setAutoRead(false);
        if (this.outputStall == null) {
            this.outputStall = this.channel.eventLoop()
                .schedule(() -> closeStalled("the device did not read its messages for " + this.outputStallTimeout),
                        this.outputStallTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void resumeReading() {
        if (this.outputStall != null) {
            this.outputStall.cancel(false);
            this.outputStall = null;
        }
        this.channel.config().setAutoRead(true);
    }

    private int nextPacketId() {
        do {
            this.lastPacketId = (this.lastPacketId % 0xFFFF) + 1;
        }
        while (this.inFlight.containsKey(this.lastPacketId) || this.rawInFlight.containsKey(this.lastPacketId));
        return this.lastPacketId;
    }

    @Override
    public void close(String reason) {
        if (this.channel.isOpen()) {
            logger.log(Level.DEBUG, "Closing connection of {0}: {1}", this.identity.id(), reason);
            this.channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (this.tokenExpiry != null) {
            this.tokenExpiry.cancel(false);
        }
        if (this.outputStall != null) {
            this.outputStall.cancel(false);
        }
        this.rawInFlight.values().forEach((raw) -> raw.completeExceptionally(
                new IllegalStateException("The connection closed before the device acknowledged")));
        this.hub.detach(this.identity.id(), this);
        if (this.cleanSession) {
            this.sessions.discard(this.identity.id(), this.session);
        }
        super.channelInactive(ctx);
    }
}
