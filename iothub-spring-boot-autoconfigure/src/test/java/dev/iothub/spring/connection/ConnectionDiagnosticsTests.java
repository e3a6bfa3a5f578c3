package dev.iothub.spring.connection;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;

import javax.net.ssl.SSLHandshakeException;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import dev.iothub.spring.event.DisconnectReason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed connection attempts are described with their cause and the fix, the way Paho reports them.
 */
class ConnectionDiagnosticsTests {

    private final ConnectionDiagnostics diagnostics = new ConnectionDiagnostics("thermostat",
            "nohub.example.invalid", 8883);

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

}
