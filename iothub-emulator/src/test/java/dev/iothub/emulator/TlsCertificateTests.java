package dev.iothub.emulator;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLSocket;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names the emulator's generated certificate is valid for (what a client's host-name check compares with), and
 * which TLS implementation serves the device endpoints.
 */
class TlsCertificateTests {

    @Test
    void whenBoringSslIsOnTheClassPathThenTheDeviceEndpointsUseItAndSayWhich() throws Exception {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static on the test class path").isTrue();
        try (LogCapture log = LogCapture.of(IotHubEmulator.class);
                IotHubEmulator hub = IotHubEmulator.builder().servicePort(-1).start();
                SSLSocket socket = DeviceSocket.tlsSocket(hub, hub.mqttPort(), 64 * 1024)) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(log.messages()).anyMatch((line) -> line.contains("listening for devices")
                    && line.endsWith("TLS by " + OpenSsl.versionString()));
            assertThat(OpenSsl.versionString()).startsWith("BoringSSL");
        }
    }

    @Test
    void whenExtraNamesAreGivenThenTheCertificateCoversThemBesidesTheDefaults() throws Exception {
        try (IotHubEmulator hub = IotHubEmulator.builder()
            .servicePort(-1)
            .hubName("my-hub.local")
            .tlsSubjectAlternativeName("10.88.0.1")
            .tlsSubjectAlternativeName("docker-host")
            .start()) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new ByteArrayInputStream(hub.caCertificatePem().getBytes(StandardCharsets.US_ASCII)));
            List<String> names = certificate.getSubjectAlternativeNames().stream().map((name) -> String.valueOf(name.get(1))).toList();
            assertThat(names).contains("localhost", "127.0.0.1", "my-hub.local", "10.88.0.1", "docker-host");
        }
    }
}
