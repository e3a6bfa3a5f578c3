package dev.iothub.spring.connection.network;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;

import dev.iothub.emulator.IotHubEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Sockets from {@link HubSocketFactory}: TLS to the emulator directly and through a tunnel, host name verification,
 * unresolved names, and a close that aborts a connect.
 */
class HubSocketFactoryTests {

    private static IotHubEmulator emulator;

    private static SSLSocketFactory tls;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
        tls = emulator.clientSslContext().getSocketFactory();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenThereIsNoProxyThenTheSocketIsTlsToTheHub() throws IOException {
        try (Socket socket = new HubSocketFactory(tls, null).createSocket()) {
            socket.connect(new InetSocketAddress("localhost", emulator.mqttPort()), 5000);
            assertThat(socket.isConnected()).isTrue();
            socket.setSoTimeout(1000);
            assertThat(socket.getSoTimeout()).isEqualTo(1000);
            assertThat(socket.getPort()).isEqualTo(emulator.mqttPort());
        }
    }

    @Test
    void whenAProxyIsSetThenTheTlsSessionRunsThroughItsTunnel() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> {
            client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            FakeProxy.relay(client, new InetSocketAddress("127.0.0.1", emulator.mqttPort()));
        }); Socket socket = new HubSocketFactory(tls, proxy.proxy("device", "s3cret")).createSocket()) {
            socket.connect(new InetSocketAddress("localhost", emulator.mqttPort()), 5000);
            assertThat(socket.isConnected()).isTrue();
            assertThat(proxy.requests.get(0)).startsWith("CONNECT localhost:" + emulator.mqttPort() + " HTTP/1.1\r\n");
            // An MQTT PINGREQ before CONNECT: the hub closes the connection, which proves bytes flow both ways
            socket.getOutputStream().write(new byte[] { (byte) 0xC0, 0 });
            socket.getOutputStream().flush();
            socket.setSoTimeout(5000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void whenTheNameCannotBeResolvedLocallyThenTheProxyGetsTheNameAndTheCertificateIsStillVerified()
            throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> {
            client.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            FakeProxy.relay(client, new InetSocketAddress("127.0.0.1", emulator.mqttPort()));
        }); Socket socket = new HubSocketFactory(tls, proxy.proxy(null, null)).createSocket()) {
            InetSocketAddress unresolved = InetSocketAddress.createUnresolved("other-hub.invalid", 8883);
            assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(() -> socket.connect(unresolved, 5000))
                .withStackTraceContaining("other-hub.invalid");
            assertThat(proxy.requests.get(0)).startsWith("CONNECT other-hub.invalid:8883 HTTP/1.1\r\n");
            assertThat(socket.isClosed()).isTrue();
        }
    }

    @Test
    void whenTheProxyRefusesThenConnectFailsWithItsAnswer() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> client.getOutputStream()
            .write("HTTP/1.1 403 Forbidden\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                Socket socket = new HubSocketFactory(tls, proxy.proxy(null, null)).createSocket()) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> socket.connect(new InetSocketAddress("localhost", 8883), 5000))
                .withMessageContaining("'HTTP/1.1 403 Forbidden'")
                .extracting(HttpProxyException::getStatusCode).isEqualTo(403);
        }
    }

    @Test
    void whenNothingListensOnTheProxyPortThenTheErrorNamesTheProxy() throws IOException {
        int closed = HttpConnectTunnelTests.closedPort();
        try (Socket socket = new HubSocketFactory(tls, new HttpProxy("127.0.0.1", closed, null, null))
            .createSocket()) {
            assertThatExceptionOfType(HttpProxyException.class)
                .isThrownBy(() -> socket.connect(new InetSocketAddress("localhost", 8883), 5000))
                .withMessageContaining("Could not connect to the HTTP proxy 127.0.0.1:" + closed)
                .withCauseInstanceOf(ConnectException.class);
        }
    }

    @Test
    void whenClosedWhileWaitingForTheProxyThenTheConnectIsAborted() throws Exception {
        try (FakeProxy proxy = new FakeProxy((request, client) -> Thread.sleep(30_000))) {
            Socket socket = new HubSocketFactory(tls, proxy.proxy(null, null)).createSocket();
            CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> {
                try {
                    socket.connect(new InetSocketAddress("localhost", 8883), 30_000);
                }
                catch (IOException ex) {
                    throw FakeProxy.unchecked(ex);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.requests.isEmpty());
            socket.close();
            assertThat(connecting).failsWithin(2, TimeUnit.SECONDS)
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(SocketException.class);
            assertThatExceptionOfType(SocketException.class).isThrownBy(socket::getInputStream);
        }
    }

    @Test
    void whenAWriteFailsThenTheSocketIsClosed() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Socket> accepted = new java.util.concurrent.atomic.AtomicReference<>();
        try (FakeProxy proxy = new FakeProxy((request, client) -> {
            client.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            accepted.set(client);
            FakeProxy.relay(client, new InetSocketAddress("127.0.0.1", emulator.mqttPort()));
        }); Socket socket = new HubSocketFactory(tls, proxy.proxy(null, null)).createSocket()) {
            socket.connect(new InetSocketAddress("localhost", emulator.mqttPort()), 5000);
            accepted.get().setSoLinger(true, 0);
            accepted.get().close();
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    socket.getOutputStream().write(new byte[1024]);
                    socket.getOutputStream().flush();
                    Thread.sleep(10);
                }
            });
            assertThat(socket.isClosed()).isTrue();
        }
    }

}
