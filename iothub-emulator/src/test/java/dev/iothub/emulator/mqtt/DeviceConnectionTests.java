package dev.iothub.emulator.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.hub.QueuedMessage;
import dev.iothub.emulator.transport.MqttServer;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The device connection's protocol behaviour, packet by packet on an {@link EmbeddedChannel}: no sockets, no TLS, no
 * codec, and time moved by hand.
 */
class DeviceConnectionTests {

    private static final String HUB_NAME = "localhost";

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static final Duration OUTPUT_STALL_TIMEOUT = Duration.ofSeconds(30);

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private EmbeddedChannel channel;

    private Hub hub;

    private DeviceIdentity device;

    @BeforeEach
    void openChannel() {
        this.channel = new EmbeddedChannel();
        this.channel.freezeTime();
        this.hub = new Hub(this.channel.eventLoop(), this.clock);
        this.device = this.hub.register("device-1", null, null);
        this.channel.pipeline()
            .addLast(MqttServer.IDLE_HANDLER, new IdleStateHandler(30, 0, 0))
            .addLast("device", new ConnectHandler(DeviceEndpoint.MQTT, this.hub, new SessionStore(),
                    new ProvisioningService("0ne00000000", HUB_NAME, this.hub, this.clock), this.clock, HUB_NAME,
                    Duration.ZERO, OUTPUT_STALL_TIMEOUT));
    }

    @AfterEach
    void closeChannel() {
        this.channel.finishAndReleaseAll();
    }

    private MqttConnectMessage connect(String key, MqttVersion version, int keepAliveSeconds) {
        String token = SasToken.create(HUB_NAME, this.device.deviceId(), null, key, NOW.plusSeconds(300)).text();
        return MqttMessageBuilders.connect()
            .protocolVersion(version)
            .clientId(this.device.id())
            .username(MqttUsername.format(HUB_NAME, this.device.deviceId(), null, null))
            .password(token.getBytes(StandardCharsets.UTF_8))
            .cleanSession(true)
            .keepAlive(keepAliveSeconds)
            .build();
    }

    private MqttConnAckMessage connAckFor(MqttConnectMessage connect) {
        this.channel.writeInbound(connect);
        return this.channel.readOutbound();
    }

    private void connected() {
        assertThat(connAckFor(connect(this.device.primaryKey(), MqttVersion.MQTT_3_1_1, 60)).variableHeader()
            .connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
    }

    private MqttSubAckMessage subscribe(int packetId, MqttQoS qos, String... filters) {
        MqttMessageBuilders.SubscribeBuilder subscribe = MqttMessageBuilders.subscribe().messageId(packetId);
        for (String filter : filters) {
            subscribe.addSubscription(qos, filter);
        }
        this.channel.writeInbound(subscribe.build());
        return this.channel.readOutbound();
    }

    private static MqttPublishMessage publish(String topic, MqttQoS qos, int packetId, String body) {
        return MqttMessageBuilders.publish()
            .topicName(topic)
            .qos(qos)
            .messageId(packetId)
            .payload(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8))
            .build();
    }

    /** A PUBACK as the decoder makes it (the builder makes a plain {@code MqttMessage}). */
    private static MqttMessage decodedPubAck(int packetId) {
        return MqttMessageFactory.newMessage(
                new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(packetId), null);
    }

    private static String body(MqttPublishMessage publish) {
        try {
            return publish.payload().toString(StandardCharsets.UTF_8);
        }
        finally {
            publish.release();
        }
    }

    private void advanceTime(Duration duration) {
        this.channel.advanceTimeBy(duration.toMillis(), TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
    }

    @Nested
    class Connect {

        @Test
        void whenTheTokenIsSignedWithTheDevicesKeyThenConnackAcceptsAndTheSessionHandlerTakesOver() {
            MqttConnAckMessage connAck = connAckFor(connect(device.primaryKey(), MqttVersion.MQTT_3_1_1, 60));
            assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
            assertThat(hub.isConnected(device.id())).isTrue();
            assertThat(channel.pipeline().get(ConnectHandler.class)).isNull();
            assertThat(channel.pipeline().get(DeviceConnection.class)).isNotNull();
        }

        @Test
        void whenTheKeyIsWrongThenConnackIs5AndTheChannelCloses() {
            MqttConnAckMessage connAck = connAckFor(connect(Base64.getEncoder().encodeToString(new byte[32]), MqttVersion.MQTT_3_1_1,
                    60));
            assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
            assertThat(channel.isOpen()).isFalse();
            assertThat(hub.isConnected(device.id())).isFalse();
        }

        @Test
        void whenTheProtocolIsMqtt31ThenConnackRefusesTheVersionAndTheChannelCloses() {
            MqttConnAckMessage connAck = connAckFor(connect(device.primaryKey(), MqttVersion.MQTT_3_1, 60));
            assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
            assertThat(channel.isOpen()).isFalse();
        }

        @Test
        void whenTheFirstPacketIsNotConnectThenTheChannelClosesWithoutAnswer() {
            channel.writeInbound(MqttMessage.PINGREQ);
            assertThat((Object) channel.readOutbound()).isNull();
            assertThat(channel.isOpen()).isFalse();
        }

        @Test
        void whenNoConnectArrivesWithinTheConnectTimeoutThenTheChannelCloses() {
            advanceTime(Duration.ofSeconds(29));
            assertThat(channel.isOpen()).isTrue();
            advanceTime(Duration.ofSeconds(1));
            assertThat(channel.isOpen()).isFalse();
        }

        @Test
        void whenNothingArrivesForOneAndAHalfKeepAlivesThenTheChannelCloses() {
            connAckFor(connect(device.primaryKey(), MqttVersion.MQTT_3_1_1, 2));
            advanceTime(Duration.ofMillis(2900));
            assertThat(channel.isOpen()).isTrue();
            advanceTime(Duration.ofMillis(100));
            assertThat(channel.isOpen()).isFalse();
            assertThat(hub.isConnected(device.id())).isFalse();
        }

        @Test
        void whenPingedThenThePingIsAnswered() {
            connected();
            channel.writeInbound(MqttMessage.PINGREQ);
            MqttMessage answer = channel.readOutbound();
            assertThat(answer.fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        }
    }

    @Nested
    class Subscriptions {

        @Test
        void whenSubscribingToSupportedFiltersThenTheRequestedQosIsGrantedUpToQos1() {
            connected();
            assertThat(subscribe(3, MqttQoS.EXACTLY_ONCE, Topics.METHODS_FILTER).payload().grantedQoSLevels())
                .containsExactly(1);
            MqttSubAckMessage subAck = subscribe(4, MqttQoS.AT_MOST_ONCE, Topics.TWIN_RESPONSES_FILTER,
                    Topics.DESIRED_PROPERTIES_FILTER);
            assertThat(subAck.variableHeader().messageId()).isEqualTo(4);
            assertThat(subAck.payload().grantedQoSLevels()).containsExactly(0, 0);
        }

        @Test
        void whenTheHubIsToldToRefuseAFilterThenSubackCarries0x80ForItOnly() {
            hub.subscriptionFaults().refuse(device.id(), Topics.METHODS_FILTER);
            connected();
            assertThat(subscribe(5, MqttQoS.AT_LEAST_ONCE, Topics.METHODS_FILTER, Topics.TWIN_RESPONSES_FILTER)
                .payload()
                .grantedQoSLevels()).containsExactly(0x80, 1);
        }

        @Test
        void whenSubscribingToAFilterIotHubDoesNotSupportThenTheChannelCloses() {
            connected();
            assertThat(subscribe(6, MqttQoS.AT_LEAST_ONCE, "some/broker/topic")).isNull();
            assertThat(channel.isOpen()).isFalse();
        }

        @Test
        void whenUnsubscribingThenUnsubackCarriesThePacketIdAndMethodsStopReachingTheDevice() {
            connected();
            subscribe(7, MqttQoS.AT_MOST_ONCE, Topics.METHODS_FILTER);
            channel.writeInbound(MqttMessageBuilders.unsubscribe().messageId(8).addTopicFilter(Topics.METHODS_FILTER)
                .build());
            MqttUnsubAckMessage unsubAck = channel.readOutbound();
            assertThat(unsubAck.variableHeader().messageId()).isEqualTo(8);
            assertThat(hub.invokeMethod(device.id(), "reboot", null, Duration.ofSeconds(5))).isCompletedExceptionally();
        }
    }

    @Nested
    class DeviceToHub {

        @Test
        void whenTelemetryArrivesAtQos1ThenItIsRecordedAndAcknowledged() {
            connected();
            channel.writeInbound(publish(Topics.telemetry(device.deviceId(), null, Map.of("colour", "red")),
                    MqttQoS.AT_LEAST_ONCE, 9, "{\"t\":21}"));
            MqttMessage pubAck = channel.readOutbound();
            assertThat(pubAck.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            assertThat(((MqttMessageIdVariableHeader) pubAck.variableHeader()).messageId()).isEqualTo(9);
            assertThat(hub.telemetry(device.id())).singleElement().satisfies((ReceivedTelemetry message) -> {
                assertThat(message.bodyAsString()).isEqualTo("{\"t\":21}");
                assertThat(message.properties()).containsExactly(entry("colour", "red"));
                assertThat(message.systemProperties()).containsEntry("iothub-enqueuedtime", NOW.toString());
            });
        }

        @Test
        void whenTelemetryArrivesOnAnotherIdentitysTopicThenTheChannelClosesAndNothingIsRecorded() {
            connected();
            channel.writeInbound(publish(Topics.telemetry("someone-else", null, Map.of()), MqttQoS.AT_LEAST_ONCE, 10,
                    "x"));
            assertThat(channel.isOpen()).isFalse();
            assertThat(hub.telemetry(null)).isEmpty();
        }

        @Test
        void whenAPublishIsQos2ThenTheChannelClosesAndNothingIsRecorded() {
            connected();
            channel.writeInbound(publish(Topics.telemetry(device.deviceId(), null, Map.of()), MqttQoS.EXACTLY_ONCE,
                    11, "x"));
            assertThat((Object) channel.readOutbound()).isNull();
            assertThat(channel.isOpen()).isFalse();
            assertThat(hub.telemetry(null)).isEmpty();
        }

        @Test
        void whenTheDeviceGetsItsTwinThenTheResponseCarriesTheDocument() {
            connected();
            subscribe(12, MqttQoS.AT_MOST_ONCE, Topics.TWIN_RESPONSES_FILTER);
            channel.writeInbound(publish(Topics.twinGet("r1"), MqttQoS.AT_MOST_ONCE, 0, ""));
            MqttPublishMessage response = channel.readOutbound();
            assertThat(response.variableHeader().topicName()).isEqualTo("$iothub/twin/res/200/?$rid=r1");
            assertThat(response.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_MOST_ONCE);
            assertThat(body(response)).isEqualTo("{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}");
        }

        @Test
        void whenTheDevicePatchesReportedThenTheResponseCarriesTheNewVersion() {
            connected();
            subscribe(13, MqttQoS.AT_MOST_ONCE, Topics.TWIN_RESPONSES_FILTER);
            channel.writeInbound(publish(Topics.reportedPatch("r2", null), MqttQoS.AT_MOST_ONCE, 0, "{\"a\":1}"));
            MqttPublishMessage response = channel.readOutbound();
            assertThat(response.variableHeader().topicName()).isEqualTo("$iothub/twin/res/204/?$rid=r2&$version=2");
            assertThat(body(response)).isEmpty();
            assertThat(hub.twin(device.id()).reported()).containsExactly(entry("a", 1));
        }
    }

    @Nested
    class HubToDevice {

        @Test
        void whenACloudToDeviceMessageIsQueuedThenItIsDeliveredAtQos1AndCompletedByThePuback() {
            connected();
            subscribe(14, MqttQoS.AT_LEAST_ONCE, Topics.cloudToDeviceFilter(device.deviceId(), null));
            hub.sendCloudToDevice(device.id(), new QueuedMessage("m1", "hello".getBytes(StandardCharsets.UTF_8),
                    Map.of("$.mid", "m1")));
            channel.runPendingTasks();
            MqttPublishMessage delivery = channel.readOutbound();
            assertThat(delivery.variableHeader().topicName())
                .isEqualTo("devices/device-1/messages/devicebound/%24.mid=m1");
            assertThat(delivery.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
            int packetId = delivery.variableHeader().packetId();
            assertThat(body(delivery)).isEqualTo("hello");
            assertThat(hub.pendingCloudToDevice(device.id())).isOne();
            channel.writeInbound(decodedPubAck(packetId));
            assertThat(hub.pendingCloudToDevice(device.id())).isZero();
        }

        @Test
        void whenDesiredPropertiesChangeThenASubscribedDeviceGetsThePatchWithItsVersion() {
            connected();
            subscribe(15, MqttQoS.AT_MOST_ONCE, Topics.DESIRED_PROPERTIES_FILTER);
            hub.patchDesired(device.id(), Map.of("interval", 5));
            MqttPublishMessage notification = channel.readOutbound();
            assertThat(notification.variableHeader().topicName())
                .isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
            assertThat(body(notification)).isEqualTo("{\"interval\":5,\"$version\":2}");
        }

        @Test
        void whenAMethodIsInvokedThenTheDeviceGetsTheRequestAndItsResponseCompletesTheCall() {
            connected();
            subscribe(16, MqttQoS.AT_MOST_ONCE, Topics.METHODS_FILTER);
            CompletableFuture<MethodResult> result = hub.invokeMethod(device.id(), "reboot", "{\"delay\":1}",
                    Duration.ofSeconds(5));
            MqttPublishMessage request = channel.readOutbound();
            assertThat(request.variableHeader().topicName()).startsWith("$iothub/methods/POST/reboot/?$rid=");
            assertThat(body(request)).isEqualTo("{\"delay\":1}");
            String requestId = request.variableHeader()
                .topicName()
                .substring("$iothub/methods/POST/reboot/?$rid=".length());
            channel.writeInbound(publish(Topics.methodResponse(200, requestId), MqttQoS.AT_MOST_ONCE, 0,
                    "{\"ok\":true}"));
            assertThat(result).isCompletedWithValue(new MethodResult(200, "{\"ok\":true}"));
        }
    }

    @Nested
    class BackPressure {

        @Test
        void whenTheDeviceStopsReadingThenTheHubStopsReadingAndClosesAfterTheStallTimeout() {
            connected();
            channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            channel.runPendingTasks();
            assertThat(channel.config().isAutoRead()).isFalse();
            advanceTime(OUTPUT_STALL_TIMEOUT.minusMillis(1));
            assertThat(channel.isOpen()).isTrue();
            advanceTime(Duration.ofMillis(1));
            assertThat(channel.isOpen()).isFalse();
        }

        @Test
        void whenTheDeviceDrainsItsQueueInTimeThenReadingResumesAndTheConnectionStays() {
            connected();
            channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            channel.runPendingTasks();
            channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            channel.runPendingTasks();
            assertThat(channel.config().isAutoRead()).isTrue();
            advanceTime(OUTPUT_STALL_TIMEOUT);
            assertThat(channel.isOpen()).isTrue();
        }
    }
}
