package dev.iothub.spring.connection.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

/**
 * A socket whose {@link #connect(SocketAddress, int)} opens TCP to the hub or to the proxy, asks the proxy for a
 * tunnel, and runs the TLS handshake; afterwards every call goes to the TLS socket. {@link #close()} from another
 * thread aborts a connect in progress. The inherited socket itself is never connected.
 */
final class HubSocket extends Socket {

    private final SSLSocketFactory tls;

    private final @Nullable HttpProxy proxy;

    private final Object lock = new Object();

    private @Nullable Socket raw;

    private @Nullable SSLSocket secure;

    private boolean closed;

    private boolean established;

    private int soTimeout;

    HubSocket(SSLSocketFactory tls, @Nullable HttpProxy proxy) {
        this.tls = tls;
        this.proxy = proxy;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        if (!(endpoint instanceof InetSocketAddress target)) {
            throw new IllegalArgumentException("Unsupported address type " + endpoint);
        }
        // The name as given: when only the proxy can resolve it, the address is unresolved, which is fine
        String host = target.getHostString();
        int port = target.getPort();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        Socket tcp = new Socket();
        synchronized (this.lock) {
            if (this.closed) {
                throw new SocketException("Socket is closed");
            }
            if (this.raw != null) {
                throw new SocketException("Already connected");
            }
            this.raw = tcp;
        }
        try {
            if (this.proxy != null) {
                connectToProxy(tcp, HttpConnectTunnel.authority(host, port), timeout);
                tcp.setSoTimeout(remaining(deadline, timeout));
                HttpConnectTunnel.open(tcp, this.proxy, host, port);
            }
            else {
                tcp.connect(target, timeout);
            }
            SSLSocket socket = (SSLSocket) this.tls.createSocket(tcp, host, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!isAddressLiteral(host)) {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            }
            socket.setSSLParameters(parameters);
            synchronized (this.lock) {
                if (this.closed) {
                    throw new SocketException("Socket closed while connecting");
                }
                this.secure = socket;
            }
            socket.setSoTimeout(remaining(deadline, timeout));
            socket.startHandshake();
            synchronized (this.lock) {
                this.established = true;
                socket.setSoTimeout(this.soTimeout);
            }
        }
        catch (IOException | RuntimeException ex) {
            close();
            throw ex;
        }
    }

    private void connectToProxy(Socket tcp, String target, int timeout) throws IOException {
        HttpProxy proxy = this.proxy;
        try {
            tcp.connect(new InetSocketAddress(proxy.host(), proxy.port()), timeout);
        }
        catch (IOException ex) {
            if (isClosed()) {
                throw ex;
            }
            throw new HttpProxyException(proxy.address(), target, 0, "Could not connect to the HTTP proxy "
                    + proxy.address() + " (for a tunnel to " + target + "): " + ex, ex);
        }
    }

    private static int remaining(long deadline, int timeout) throws SocketTimeoutException {
        if (timeout == 0) {
            return 0;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("Connect timed out");
        }
        return (int) left;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    private Socket connected() throws SocketException {
        synchronized (this.lock) {
            if (this.closed) {
                throw new SocketException("Socket is closed");
            }
            if (this.secure == null) {
                throw new SocketException("Socket is not connected");
            }
            return this.secure;
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return connected().getInputStream();
    }

    /**
     * The TLS socket's output; a failed write closes the socket. Paho's WebSocket module writes a close frame
     * before it closes the socket and skips the close when that write fails, which would leave the socket open.
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        OutputStream out = connected().getOutputStream();
        return new OutputStream() {

            @Override
            public void write(int b) throws IOException {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                try {
                    out.write(bytes, offset, length);
                }
                catch (IOException ex) {
                    closeAfter(ex);
                    throw ex;
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                }
                catch (IOException ex) {
                    closeAfter(ex);
                    throw ex;
                }
            }

            @Override
            public void close() throws IOException {
                HubSocket.this.close();
            }

        };
    }

    private void closeAfter(IOException failure) {
        try {
            close();
        }
        catch (IOException ex) {
            failure.addSuppressed(ex);
        }
    }

    @Override
    public void close() throws IOException {
        Socket tcp;
        Socket socket;
        synchronized (this.lock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            tcp = this.raw;
            // Until the handshake is done only the TCP socket is closed: that aborts a connect, a tunnel request or
            // a handshake in progress without waiting for the TLS engine
            socket = this.established ? this.secure : null;
        }
        try {
            if (socket != null) {
                socket.close();
            }
        }
        finally {
            if (tcp != null) {
                tcp.close();
            }
        }
    }

    @Override
    public boolean isClosed() {
        synchronized (this.lock) {
            return this.closed;
        }
    }

    @Override
    public boolean isConnected() {
        synchronized (this.lock) {
            return this.secure != null && this.secure.isConnected();
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        Socket socket;
        synchronized (this.lock) {
            this.soTimeout = timeout;
            socket = this.secure;
        }
        if (socket != null) {
            socket.setSoTimeout(timeout);
        }
    }

    @Override
    public int getSoTimeout() {
        synchronized (this.lock) {
            return this.soTimeout;
        }
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        connected().setTcpNoDelay(on);
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        connected().setKeepAlive(on);
    }

    @Override
    public void shutdownInput() throws IOException {
        connected().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        connected().shutdownOutput();
    }

    @Override
    public @Nullable InetAddress getInetAddress() {
        Socket socket = this.current();
        return (socket != null) ? socket.getInetAddress() : null;
    }

    @Override
    public int getPort() {
        Socket socket = this.current();
        return (socket != null) ? socket.getPort() : 0;
    }

    @Override
    public int getLocalPort() {
        Socket socket = this.current();
        return (socket != null) ? socket.getLocalPort() : -1;
    }

    @Override
    public @Nullable SocketAddress getRemoteSocketAddress() {
        Socket socket = this.current();
        return (socket != null) ? socket.getRemoteSocketAddress() : null;
    }

    @Override
    public @Nullable SocketAddress getLocalSocketAddress() {
        Socket socket = this.current();
        return (socket != null) ? socket.getLocalSocketAddress() : null;
    }

    private @Nullable Socket current() {
        synchronized (this.lock) {
            return (this.secure != null) ? this.secure : this.raw;
        }
    }

    @Override
    public String toString() {
        Socket socket = current();
        return "HubSocket[" + ((this.proxy != null) ? "via " + this.proxy.address() + ", " : "")
                + ((socket != null) ? socket : "unconnected") + "]";
    }

}
