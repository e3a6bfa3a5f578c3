package dev.iothub.spring.testcontainers;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.testcontainers.IotHubEmulatorServiceClient.RequestFailedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulator container on its own: devices declared by environment, the CA it serves, connection strings and TLS
 * to the published port.
 */
@RequiresContainerRuntime
@Testcontainers
class IotHubEmulatorContainerTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Container
    static final IotHubEmulatorContainer hub = new IotHubEmulatorContainer(EmulatorImage.get())
        .withDevice("thermostat")
        .withDevice("sensor-2", KEY);

    @Test
    void whenDevicesAreDeclaredThenTheContainerRegistersThemWithTheirKeys() {
        assertThat(hub.getDefaultDeviceId()).isEqualTo("thermostat");
        assertThat(hub.getPrimaryKey("sensor-2")).isEqualTo(KEY);
        assertThat(hub.getPrimaryKey("thermostat")).isNotBlank().isNotEqualTo(KEY);
        assertThatExceptionOfType(RequestFailedException.class)
            .isThrownBy(() -> hub.getPrimaryKey(IotHubEmulatorContainer.DEFAULT_DEVICE_ID))
            .satisfies((ex) -> assertThat(ex.getHttpStatus()).isEqualTo(404));
    }

    @Test
    void whenTheCaIsFetchedThenItCoversTheHostClientsConnectTo() throws Exception {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(hub.getCaCertificatePem().getBytes(StandardCharsets.US_ASCII)));
        List<String> names = certificate.getSubjectAlternativeNames()
            .stream()
            .map((name) -> String.valueOf(name.get(1)))
            .toList();
        assertThat(names).contains(IotHubEmulatorContainer.HUB_NAME, hub.getHost());
    }

    @Test
    void whenAClientTrustsTheContainerThenTlsToThePublishedPortVerifiesTheHostName() throws Exception {
        try (SSLSocket socket = (SSLSocket) hub.createClientSslContext()
            .getSocketFactory()
            .createSocket(hub.getHost(), hub.getMqttPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            assertThat(socket.getSession().getPeerCertificates()).hasSize(1);
        }
    }

    @Test
    void whenAConnectionStringIsAskedForThenItNamesTheHubAndTheWayToTheContainer() {
        ConnectionString connectionString = ConnectionString.parse(hub.getConnectionString("sensor-2"));
        assertThat(connectionString.hostName()).isEqualTo(IotHubEmulatorContainer.HUB_NAME);
        assertThat(connectionString.deviceId()).isEqualTo("sensor-2");
        assertThat(connectionString.sharedAccessKey()).isEqualTo(KEY);
        String expectedGateway = hub.getHost().equals(IotHubEmulatorContainer.HUB_NAME) ? null : hub.getHost();
        assertThat(connectionString.gatewayHostName()).isEqualTo(expectedGateway);
    }

    @Test
    void whenTheHostIsLoopbackThenThePortsArePublishedOnLoopbackOnly() {
        assumeTrue(hub.getHost().equals("localhost") || hub.getHost().startsWith("127."),
                "Testcontainers reaches the container through " + hub.getHost() + ", not loopback");
        Map<ExposedPort, Ports.Binding[]> bindings = hub.getContainerInfo().getNetworkSettings().getPorts().getBindings();
        assertThat(bindings.get(ExposedPort.tcp(IotHubEmulatorContainer.REST_PORT)))
            .extracting(Ports.Binding::getHostIp)
            .containsOnly("127.0.0.1");
        assertThat(bindings.get(ExposedPort.tcp(IotHubEmulatorContainer.MQTT_PORT)))
            .extracting(Ports.Binding::getHostIp)
            .containsOnly("127.0.0.1");
    }

    @Test
    void whenADeviceIsRegisteredThroughTheClientThenItHasAConnectionString() {
        String connectionString = hub.getServiceClient().registerDevice("registered-later");
        assertThat(ConnectionString.parse(connectionString).deviceId()).isEqualTo("registered-later");
        assertThat(hub.getServiceClient().isConnected("registered-later")).isFalse();
    }

    @Test
    void whenARequestOfItsOwnCarriesTheClientsAuthorizationThenTheRestApiAnswersIt() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI twin = hub.getRestBaseUri().resolve("/twins/thermostat");
        String authorization = hub.getServiceClient().authorization();
        assertThat(authorization).startsWith("SharedAccessSignature ").contains("skn=iothubowner");
        assertThat(http.send(HttpRequest.newBuilder(twin).build(), BodyHandlers.discarding()).statusCode())
            .isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(twin).header("Authorization", authorization).build(),
                BodyHandlers.ofString()).body()).contains("\"deviceId\":\"thermostat\"");
    }

    @Test
    void whenAMethodIsInvokedOnADisconnectedDeviceThenTheHubsErrorIsThrown() {
        assertThatExceptionOfType(RequestFailedException.class)
            .isThrownBy(() -> hub.getServiceClient().invokeMethod("thermostat", "reboot", null, Duration.ofSeconds(5)))
            .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(404103));
    }
}
