package dev.iothub.emulator.mqtt;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.dps.ProvisioningResponse;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.dps.RegistrationCredential;
import dev.iothub.emulator.hub.Json;
import dev.iothub.protocol.UrlEncoding;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import tools.jackson.databind.JsonNode;

/**
 * A Device Provisioning Service session, from the accepted CONNECT to close: it takes the register and
 * operation-status requests ({@code $dps/registrations/PUT/iotdps-register/?$rid=} and
 * {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid=&operationId=}) to the {@link ProvisioningService}
 * and publishes its answers on {@code $dps/registrations/res/{status}/?$rid=[&retry-after=]} (QoS 0, a moment
 * later) once the device has subscribed to {@code $dps/registrations/res/#}. Sessions are never persistent. As on the
 * hub, a protocol error (QoS 2, another topic or filter) closes the connection; {@link MqttSessionHousekeeping} in
 * front of it answers pings and closes on DISCONNECT, malformed packets and an expired keep-alive.
 */
final class ProvisioningConnection extends SimpleChannelInboundHandler<MqttMessage> {

    static final String RESPONSE_FILTER = "$dps/registrations/res/#";

    private static final String REGISTER_TOPIC = "$dps/registrations/PUT/iotdps-register/";

    private static final String STATUS_TOPIC = "$dps/registrations/GET/iotdps-get-operationstatus/";

    /** How long after a request its answer leaves; see {@link #respond}. */
    static final long RESPONSE_DELAY_MILLIS = 100;

    private static final System.Logger logger = System.getLogger(ProvisioningConnection.class.getName());

    private final ProvisioningService service;

    private final Channel channel;

    private final String registrationId;

    private final RegistrationCredential credential;

    private boolean subscribed;

    ProvisioningConnection(ProvisioningService service, Channel channel, String registrationId,
            RegistrationCredential credential) {
        this.service = service;
        this.channel = channel;
        this.registrationId = registrationId;
        this.credential = credential;
    }

    /** Accepts the CONNECT once the handler is in the pipeline. */
    void open() {
        this.channel.writeAndFlush(MqttMessageBuilders.connAck()
            .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
            .sessionPresent(false)
            .build());
        logger.log(Level.DEBUG, "Provisioning session of {0} opened", this.registrationId);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage message) {
        MqttMessageType type = message.fixedHeader().messageType();
        switch (type) {
            case PUBLISH -> publish((MqttPublishMessage) message);
            case SUBSCRIBE -> subscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) message);
            default -> close("unsupported packet " + type);
        }
    }

    private void subscribe(MqttSubscribeMessage subscribe) {
        MqttMessageBuilders.SubAckBuilder subAck = MqttMessageBuilders.subAck()
            .packetId(subscribe.variableHeader().messageId());
        for (MqttTopicSubscription subscription : subscribe.payload().topicSubscriptions()) {
            if (!subscription.topicFilter().equals(RESPONSE_FILTER)) {
                close("subscription to a filter DPS does not support: " + subscription.topicFilter());
                return;
            }
            this.subscribed = true;
            subAck.addGrantedQos(MqttQoS.valueOf(Math.min(subscription.qualityOfService().value(),
                    MqttQoS.AT_LEAST_ONCE.value())));
        }
        this.channel.writeAndFlush(subAck.build());
    }

    private void unsubscribe(MqttUnsubscribeMessage unsubscribe) {
        if (unsubscribe.payload().topics().contains(RESPONSE_FILTER)) {
            this.subscribed = false;
        }
        this.channel.writeAndFlush(MqttMessageBuilders.unsubAck()
            .packetId(unsubscribe.variableHeader().messageId())
            .build());
    }

    private void publish(MqttPublishMessage publish) {
        MqttQoS qos = publish.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE || qos == MqttQoS.FAILURE) {
            close("QoS 2 publish is not supported");
            return;
        }
        String topic = publish.variableHeader().topicName();
        int query = topic.indexOf('?');
        String path = (query < 0) ? topic : topic.substring(0, query);
        Map<String, String> parameters;
        try {
            parameters = (query < 0) ? Map.of() : parseQuery(topic.substring(query + 1));
        }
        catch (IllegalArgumentException ex) {
            close("publish to a topic with a malformed query: " + topic);
            return;
        }
        String requestId = parameters.get("$rid");
        if (requestId == null || !(path.equals(REGISTER_TOPIC) || path.equals(STATUS_TOPIC))) {
            close("publish to a topic DPS does not accept: " + topic);
            return;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            this.channel.write(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
        }
        ProvisioningResponse response;
        if (path.equals(REGISTER_TOPIC)) {
            JsonNode body = Json.parseOrNull(publish.payload().toString(StandardCharsets.UTF_8));
            response = (body != null && body.isObject())
                    ? this.service.register(this.registrationId, this.credential, body.get("payload"))
                    : this.service.invalidRequest("The register request body must be a JSON object");
        }
        else {
            response = this.service.operationStatus(Optional.ofNullable(parameters.get("operationId")).orElse(""));
        }
        respond(requestId, response);
    }

    /** The parameters of a topic's query, decoded, except {@code $rid}, which is echoed as sent. */
    private static Map<String, String> parseQuery(String query) {
        Map<String, String> parameters = new HashMap<>();
        for (String parameter : query.split("&")) {
            int equals = parameter.indexOf('=');
            if (equals > 0) {
                String name = parameter.substring(0, equals);
                String value = parameter.substring(equals + 1);
                parameters.put(name, name.equals("$rid") ? value : UrlEncoding.decode(value));
            }
        }
        return parameters;
    }

    /**
     * Publishes the answer {@link #RESPONSE_DELAY_MILLIS} after the request, as a DPS across a network does. Sooner
     * is too soon for the official Java SDK 2.1.3: it starts waiting for the answer only after its publish completes
     * and is not woken by an answer that came first (or, if the answer overtakes its publish's completion, its
     * callback thread blocks behind the publishing thread), so on loopback it timed out in about one run of two.
     */
    private void respond(String requestId, ProvisioningResponse response) {
        if (!this.subscribed) {
            return;
        }
        String topic = "$dps/registrations/res/" + response.status() + "/?$rid=" + requestId
                + ((response.retryAfterSeconds() != null) ? "&retry-after=" + response.retryAfterSeconds() : "");
        byte[] body = Json.MAPPER.writeValueAsBytes(response.body());
        this.channel.eventLoop()
            .schedule(() -> this.channel.writeAndFlush(MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.AT_MOST_ONCE)
                .payload(Unpooled.wrappedBuffer(body))
                .build()), RESPONSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void close(String reason) {
        if (this.channel.isOpen()) {
            logger.log(Level.DEBUG, "Closing provisioning session of {0}: {1}", this.registrationId, reason);
            this.channel.close();
        }
    }
}
