package dev.iothub.spring.connection.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

/**
 * The socket factory Paho's {@code tcp://} and {@code ws://} network modules get: each socket connects to the hub
 * directly or through an HTTP proxy's {@code CONNECT} tunnel, then runs the TLS handshake with host name
 * verification and SNI, all within the connect timeout. Paho's own {@code ssl://} and {@code wss://} modules open
 * the TCP connection themselves and so cannot go through a proxy; this factory is deliberately not an
 * {@link SSLSocketFactory}, which those plain modules would refuse.
 *
 * @author iothub-spring-boot
 * @since 0.2.0
 */
public final class HubSocketFactory extends SocketFactory {

    private final SSLSocketFactory tls;

    private final @Nullable HttpProxy proxy;

    /**
     * Creates a factory.
     *
     * @param tls layers TLS over the TCP connection or tunnel (an SSL bundle's, or the JVM default)
     * @param proxy the HTTP proxy to tunnel through, or {@code null} to connect directly
     */
    public HubSocketFactory(SSLSocketFactory tls, @Nullable HttpProxy proxy) {
        this.tls = tls;
        this.proxy = proxy;
    }

    /** The proxy the sockets tunnel through, or {@code null}. */
    public @Nullable HttpProxy getProxy() {
        return this.proxy;
    }

    /** An unconnected socket: its {@code connect} opens TCP (and the tunnel) and runs the TLS handshake. */
    @Override
    public Socket createSocket() {
        return new HubSocket(this.tls, this.proxy);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress address) throws IOException {
        Socket socket = createSocket();
        socket.connect(address);
        return socket;
    }

    @Override
    public String toString() {
        return "HubSocketFactory[" + ((this.proxy != null) ? "via " + this.proxy : "direct") + "]";
    }

}
