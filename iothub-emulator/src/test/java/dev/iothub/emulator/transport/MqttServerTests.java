package dev.iothub.emulator.transport;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.mqtt.ConnectHandler;
import dev.iothub.emulator.mqtt.SessionStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline both device endpoints share, on an {@link EmbeddedChannel} (no TLS) with time moved by hand.
 */
class MqttServerTests {

    private EmbeddedChannel channel;

    @BeforeEach
    void openChannel() {
        this.channel = new EmbeddedChannel();
        this.channel.freezeTime();
    }

    @AfterEach
    void closeChannel() {
        this.channel.finishAndReleaseAll();
    }

    private void build(DeviceEndpoint endpoint) {
        Hub hub = new Hub(this.channel.eventLoop(), Clock.systemUTC());
        MqttServer.initialize(this.channel.pipeline(), endpoint, new ConnectHandler(endpoint, hub, new SessionStore(),
                new ProvisioningService("0ne00000000", "localhost", hub, Clock.systemUTC()), Clock.systemUTC(),
                "localhost", Duration.ZERO, Duration.ofSeconds(30)));
    }

    private void advanceTime(Duration duration) {
        this.channel.advanceTimeBy(duration.toMillis(), TimeUnit.MILLISECONDS);
        this.channel.runPendingTasks();
    }

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenAClientSendsPartOfItsFirstRequestAndNoMoreThenTheConnectTimeoutClosesIt(DeviceEndpoint endpoint) {
        build(endpoint);
        String partial = (endpoint == DeviceEndpoint.MQTT_WEBSOCKET)
                ? "GET /$iothub/websocket?iothub-no-client-cert=true HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket"
                : "\u0010\u0050\u0000\u0004MQTT";
        this.channel.writeInbound(Unpooled.copiedBuffer(partial, StandardCharsets.ISO_8859_1));
        advanceTime(Duration.ofSeconds(29));
        assertThat(this.channel.isOpen()).isTrue();
        advanceTime(Duration.ofSeconds(1));
        assertThat(this.channel.isOpen()).isFalse();
    }
}
