package dev.iothub.spring.connection;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.network.HttpProxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Paho URI and socket factory for each transport: plain schemes, with TLS and the proxy in the factory.
 */
class IotHubConnectionSettingsTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void mqttIsPlainTcpToTheHubOrGateway() {
        assertThat(settings(ConnectionString.ofKey("hub.example", "d", null, KEY), IotHubTransport.MQTT, null)
            .serverUri()).isEqualTo("tcp://hub.example:8883");
        ConnectionString viaGateway = new ConnectionString("hub.example", "d", null, KEY, null, "edge.local", false);
        assertThat(settings(viaGateway, IotHubTransport.MQTT, null).serverUri()).isEqualTo("tcp://edge.local:8883");
    }

    @Test
    void mqttWsWithASasTokenTellsTheHubNotToAskForAClientCertificate() {
        assertThat(settings(ConnectionString.ofKey("hub.example", "d", null, KEY), IotHubTransport.MQTT_WS, null)
            .serverUri()).isEqualTo("ws://hub.example:443/$iothub/websocket?iothub-no-client-cert=true");
    }

    @Test
    void mqttWsWithX509LeavesTheQueryOut() {
        ConnectionString x509 = new ConnectionString("hub.example", "d", null, null, null, null, true);
        assertThat(settings(x509, IotHubTransport.MQTT_WS, null).serverUri())
            .isEqualTo("ws://hub.example:443/$iothub/websocket");
    }

    @Test
    void anIpv6GatewayIsBracketed() {
        ConnectionString viaGateway = new ConnectionString("hub.example", "d", null, KEY, null, "::1", false);
        assertThat(settings(viaGateway, IotHubTransport.MQTT, null).serverUri()).isEqualTo("tcp://[::1]:8883");
    }

    @Test
    void theSocketFactoryCarriesTheProxyAndTheTextHidesItsPassword() {
        HttpProxy proxy = new HttpProxy("proxy.example", 3128, "device", "s3cret");
        IotHubConnectionSettings settings = settings(ConnectionString.ofKey("hub.example", "d", null, KEY),
                IotHubTransport.MQTT, proxy);
        assertThat(settings.socketFactory().getProxy()).isEqualTo(proxy);
        assertThat(settings.toString()).contains("proxy.example:3128").doesNotContain("s3cret");
    }

    private static IotHubConnectionSettings settings(ConnectionString identity, IotHubTransport transport,
            @Nullable HttpProxy proxy) {
        return new IotHubConnectionSettings(identity, transport, transport.defaultPort(), null, proxy, null, false,
                Duration.ofMinutes(4), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofHours(1), 0.85, 10, 10, Duration.ZERO,
                new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.2));
    }

}
