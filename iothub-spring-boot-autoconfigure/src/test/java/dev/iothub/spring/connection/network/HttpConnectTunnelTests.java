package dev.iothub.spring.connection.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The CONNECT exchange against a scripted proxy: what is sent, which answers open the tunnel, and what every
 * refusal says.
 */
class HttpConnectTunnelTests {

    private static final HttpProxy NO_AUTH = new HttpProxy("127.0.0.1", 0, null, null);

    @Test
    void whenAnHttp10ProxyAnswersInPiecesThenTheTunnelOpensAndNothingOfTheStreamIsConsumed() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> FakeProxy.writeInPieces(client.getOutputStream(),
                "HTTP/1.0 200 Connection established\r\nProxy-agent: test/1.0\r\n\r\nHELLO", 3));
                Socket socket = connect(proxy)) {
            HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883);
            assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
                .isEqualTo("HELLO");
            assertThat(proxy.requests.get(0)).isEqualTo("CONNECT hub.example:8883 HTTP/1.1\r\n"
                    + "Host: hub.example:8883\r\n\r\n");
        }
    }

    @Test
    void whenAUserIsSetThenBasicCredentialsAreSentInUtf8() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> client.getOutputStream()
            .write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                Socket socket = connect(proxy)) {
            HttpConnectTunnel.open(socket, proxy.proxy("device", "pä:ss"), "hub.example", 443);
            String credentials = Base64.getEncoder().encodeToString("device:pä:ss".getBytes(StandardCharsets.UTF_8));
            assertThat(proxy.requests.get(0)).contains("Proxy-Authorization: Basic " + credentials + "\r\n")
                .doesNotContainIgnoringCase("connection:");
        }
    }

    @Test
    void whenTheProxyWantsCredentialsThenTheErrorNamesProxyTargetStatusAndSchemeButNotThePassword() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> client.getOutputStream()
            .write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n"
                    + "Content-Length: 11\r\n\r\nAccess denied").getBytes(StandardCharsets.US_ASCII)));
                Socket socket = connect(proxy)) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, proxy.proxy("device", "s3cret"), "hub.example", 8883))
                .satisfies((ex) -> {
                    assertThat(ex.getStatusCode()).isEqualTo(407);
                    assertThat(ex.getProxy()).isEqualTo("127.0.0.1:" + proxy.port());
                    assertThat(ex.getTarget()).isEqualTo("hub.example:8883");
                })
                .withMessageContaining("127.0.0.1:" + proxy.port())
                .withMessageContaining("hub.example:8883")
                .withMessageContaining("'HTTP/1.1 407 Proxy Authentication Required'")
                .withMessageContaining("Basic realm=\"corp\"")
                .withMessageNotContaining("s3cret")
                .withMessageNotContaining(Base64.getEncoder().encodeToString("device:s3cret".getBytes()));
        }
    }

    @Test
    void whenTheProxyClosesInTheMiddleOfItsAnswerThenTheErrorSaysSo() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> {
            client.getOutputStream().write("HTTP/1.1 200 Conn".getBytes(StandardCharsets.US_ASCII));
            client.close();
        }); Socket socket = connect(proxy)) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883))
                .withMessageContaining("closed the connection in the middle of its answer")
                .extracting(HttpProxyException::getStatusCode).isEqualTo(0);
        }
    }

    @Test
    void whenTheProxyClosesWithoutAnsweringThenTheErrorSaysSo() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> client.close()); Socket socket = connect(proxy)) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883))
                .withMessageContaining("closed the connection without answering the CONNECT");
        }
    }

    @Test
    void whenTheHeadersNeverEndThenReadingStopsAtTheBound() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> {
            client.getOutputStream().write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 1000; i++) {
                client.getOutputStream().write(("X-Filler-" + i + ": 0123456789\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }); Socket socket = connect(proxy)) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883))
                .withMessageContaining("more than " + HttpConnectTunnel.MAX_ANSWER_BYTES + " bytes");
        }
    }

    @Test
    void whenTheAnswerIsNotHttpThenTheErrorShowsWhatCame() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> client.getOutputStream()
            .write("SSH-2.0-OpenSSH_9.2\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                Socket socket = connect(proxy)) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883))
                .withMessageContaining("'SSH-2.0-OpenSSH_9.2', which is not an HTTP/1.x status line");
        }
    }

    @Test
    void whenTheProxyDoesNotAnswerThenTheReadTimeoutEndsTheWait() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> Thread.sleep(10_000));
                Socket socket = connect(proxy)) {
            socket.setSoTimeout(300);
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> HttpConnectTunnel.open(socket, withPort(NO_AUTH, proxy), "hub.example", 8883))
                .withMessageContaining("did not answer the CONNECT to hub.example:8883 in time");
        }
    }

    @Test
    void anIpv6TargetIsBracketed() {
        assertThat(HttpConnectTunnel.authority("::1", 443)).isEqualTo("[::1]:443");
        assertThat(HttpConnectTunnel.authority("hub.example", 443)).isEqualTo("hub.example:443");
    }

    @Test
    void theProxysTextNeverShowsThePassword() {
        HttpProxy proxy = new HttpProxy("proxy.example", 3128, "device", "s3cret");
        assertThat(proxy.toString()).contains("proxy.example:3128").contains("device").doesNotContain("s3cret");
    }

    private static Socket connect(FakeProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private static HttpProxy withPort(HttpProxy proxy, FakeProxy fake) {
        return new HttpProxy(proxy.host(), fake.port(), proxy.username(), proxy.password());
    }

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
