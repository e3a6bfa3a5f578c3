package dev.iothub.spring.connection.network;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for an HTTP proxy, for the parsing edge cases a real proxy will not produce on demand: it
 * records each request head and answers it with a {@link Script}.
 */
final class FakeProxy implements AutoCloseable {

    private final ServerSocket server;

    private final Thread acceptor;

    final List<String> requests = new CopyOnWriteArrayList<>();

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    FakeProxy(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(() -> {
            while (!this.server.isClosed()) {
                try {
                    Socket socket = this.server.accept();
                    this.accepted.add(socket);
                    Thread handler = new Thread(() -> {
                        try {
                            String request = readHead(socket.getInputStream());
                            this.requests.add(request);
                            script.answer(request, socket);
                        }
                        catch (IOException | InterruptedException ex) {
                            // the client went away
                        }
                    }, "fake-proxy-connection");
                    handler.setDaemon(true);
                    handler.start();
                }
                catch (IOException ex) {
                    return;
                }
            }
        }, "fake-proxy");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    int port() {
        return this.server.getLocalPort();
    }

    HttpProxy proxy(String username, String password) {
        return new HttpProxy("127.0.0.1", port(), username, password);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int next = in.read();
            if (next < 0) {
                throw new IOException("closed");
            }
            head.write(next);
            String text = head.toString(StandardCharsets.UTF_8);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
    }

    /** Writes the text in pieces of {@code size} bytes, flushing and pausing between them. */
    static void writeInPieces(OutputStream out, String text, int size) throws IOException, InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += size) {
            out.write(bytes, i, Math.min(size, bytes.length - i));
            out.flush();
            Thread.sleep(5);
        }
    }

    /** Copies bytes both ways between the client and {@code target} until either side closes. */
    static void relay(Socket client, InetSocketAddress target) throws IOException {
        Socket upstream = new Socket();
        upstream.connect(target);
        Thread back = new Thread(() -> copy(upstream, client), "fake-proxy-relay");
        back.setDaemon(true);
        back.start();
        copy(client, upstream);
    }

    private static void copy(Socket from, Socket to) {
        try (from; to) {
            from.getInputStream().transferTo(to.getOutputStream());
        }
        catch (IOException ex) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        this.server.close();
        for (Socket socket : this.accepted) {
            socket.close();
        }
    }

    /** What the proxy does with a request. */
    @FunctionalInterface
    interface Script {

        void answer(String request, Socket client) throws IOException, InterruptedException;

    }

    static UncheckedIOException unchecked(IOException ex) {
        return new UncheckedIOException(ex);
    }

}
