package dev.iothub.spring.connection;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;

import javax.net.ssl.SSLHandshakeException;

import java.io.IOException;
import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.connection.network.HttpProxyException;
import dev.iothub.spring.event.DisconnectReason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed connection attempts are described with their cause and the fix, the way Paho reports them.
 */
class ConnectionDiagnosticsTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ConnectionDiagnostics diagnostics = new ConnectionDiagnostics("thermostat",
            settings(IotHubTransport.MQTT, null));

    static IotHubConnectionSettings settings(IotHubTransport transport, @Nullable HttpProxy proxy) {
        return new IotHubConnectionSettings(ConnectionString.ofKey("nohub.example.invalid", "thermostat", null, KEY),
                transport, transport.defaultPort(), null, proxy, null, false, Duration.ofMinutes(4),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofHours(1), 0.85, 10,
                10, Duration.ZERO, new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0, 0.2));
    }

    private static MqttException serverConnectError(Throwable cause) {
        return new MqttException(MqttException.REASON_CODE_SERVER_CONNECT_ERROR, cause);
    }

    @Test
    void unknownHostNamesTheHostAndWhereItIsConfigured() {
        ConnectionDiagnostics.Diagnosis diagnosis = this.diagnostics
            .connectFailed(serverConnectError(new UnknownHostException("nohub.example.invalid")));
        assertThat(diagnosis.reason()).isEqualTo(DisconnectReason.CONNECT_FAILED);
        assertThat(diagnosis.explained()).contains("could not resolve the host name nohub.example.invalid")
            .contains("iothub.connection-string")
            .contains("iothub.host-name");
    }

    @Test
    void refusedConnectionNamesHostAndPort() {
        assertThat(this.diagnostics.connectFailed(serverConnectError(new ConnectException("Connection refused")))
            .explained()).contains("nohub.example.invalid:8883 refused the connection").contains("iothub.port");
    }

    @Test
    void untrustedCertificatePointsToTheSslBundle() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertPathBuilderException("unable to find valid certification path"));
        assertThat(this.diagnostics.connectFailed(serverConnectError(handshake)).explained())
            .contains("is not trusted")
            .contains("iothub.ssl.bundle");
    }

    @Test
    void refusedCredentialsAreNotAuthorized() {
        ConnectionDiagnostics.Diagnosis diagnosis = this.diagnostics
            .connectFailed(new MqttException(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        assertThat(diagnosis.reason()).isEqualTo(DisconnectReason.NOT_AUTHORIZED);
        assertThat(diagnosis.summary()).contains("refused the credentials of thermostat");
    }

    @Test
    void theSameCauseHasTheSameKeySoItIsExplainedOnce() {
        assertThat(this.diagnostics.connectFailed(serverConnectError(new ConnectException("a"))).key())
            .isEqualTo(this.diagnostics.connectFailed(serverConnectError(new ConnectException("b"))).key());
    }

    @Test
    void aProxyAskingForCredentialsPointsToTheProxyProperties() {
        ConnectionDiagnostics.Diagnosis diagnosis = proxied().connectFailed(
                unexpected(refusal(407, "HTTP/1.1 407 Proxy Authentication Required")));
        assertThat(diagnosis.reason()).isEqualTo(DisconnectReason.CONNECT_FAILED);
        assertThat(diagnosis.explained()).contains("proxy.example:3128")
            .contains("nohub.example.invalid:8883")
            .contains("407 Proxy Authentication Required")
            .contains("check iothub.proxy.username and iothub.proxy.password")
            .doesNotContain("s3cret");
    }

    @Test
    void aProxyAnswering401InsteadOf407IsTreatedAsAskingForCredentials() {
        assertThat(proxied().connectFailed(unexpected(refusal(401, "HTTP/1.0 401 Unauthorized"))).explained())
            .contains("check iothub.proxy.username and iothub.proxy.password");
    }

    @Test
    void aProxyForbiddingThePortSuggestsTheWebSocketTransport() {
        assertThat(proxied().connectFailed(unexpected(refusal(403, "HTTP/1.0 403 Forbidden"))).explained())
            .contains("403 Forbidden")
            .contains("iothub.transport=mqtt-ws");
    }

    @Test
    void aProxyThatCannotReachTheHubSaysSo() {
        assertThat(proxied().connectFailed(unexpected(refusal(502, "HTTP/1.1 502 Bad Gateway"))).explained())
            .contains("502 Bad Gateway")
            .contains("the proxy could not reach nohub.example.invalid:8883");
    }

    @Test
    void anUnreachableProxyNamesTheProxyNotTheHub() {
        HttpProxyException unreachable = new HttpProxyException("proxy.example:3128", "nohub.example.invalid:8883", 0,
                "Could not connect to the HTTP proxy proxy.example:3128", new ConnectException("Connection refused"));
        assertThat(proxied().connectFailed(serverConnectError(unreachable)).explained())
            .contains("Could not connect to the HTTP proxy proxy.example:3128")
            .contains("check iothub.proxy.host and iothub.proxy.port")
            .doesNotContain("check iothub.port");
    }

    @Test
    void differentProxyAnswersAreDifferentCauses() {
        assertThat(proxied().connectFailed(unexpected(refusal(407, "HTTP/1.1 407 x"))).key())
            .isNotEqualTo(proxied().connectFailed(unexpected(refusal(403, "HTTP/1.1 403 x"))).key());
    }

    @Test
    void aRefusedWebSocketUpgradeNamesThePath() {
        ConnectionDiagnostics diagnostics = new ConnectionDiagnostics("thermostat",
                settings(IotHubTransport.MQTT_WS, null));
        assertThat(diagnostics.connectFailed(unexpected(new IOException("WebSocket Response header: Incorrect upgrade.")))
            .explained()).contains("the WebSocket upgrade at nohub.example.invalid:443/$iothub/websocket failed")
            .contains("Incorrect upgrade");
    }

    @Test
    void anUnreachablePortOverMqttSuggestsTheWebSocketTransport() {
        assertThat(this.diagnostics.connectFailed(serverConnectError(new java.net.SocketTimeoutException("timed out")))
            .explained()).contains("iothub.transport=mqtt-ws");
    }

    private static ConnectionDiagnostics proxied() {
        return new ConnectionDiagnostics("thermostat",
                settings(IotHubTransport.MQTT, new HttpProxy("proxy.example", 3128, "device", "s3cret")));
    }

    private static HttpProxyException refusal(int status, String statusLine) {
        return new HttpProxyException("proxy.example:3128", "nohub.example.invalid:8883", status,
                "The HTTP proxy proxy.example:3128 refused the CONNECT: '" + statusLine
                        + "' (tunnel to nohub.example.invalid:8883)", null);
    }

    /** How Paho reports an IOException other than ConnectException from the network module. */
    private static MqttException unexpected(Throwable cause) {
        return new MqttException(MqttException.REASON_CODE_UNEXPECTED_ERROR, cause);
    }

}
