package dev.iothub.emulator;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import javax.net.ssl.SSLSocket;

/**
 * A hand-driven device connection to either endpoint, as plain byte streams: the TLS socket's own for MQTT, and for
 * MQTT over WebSocket a hand-written RFC 6455 client (upgrade, masked frames out, frames unwrapped in), so tests can
 * send exactly the bytes and frames they mean and read nothing when they mean to read nothing.
 */
final class DeviceSocket implements Closeable {

    static final String WEBSOCKET_TARGET = "/$iothub/websocket?iothub-no-client-cert=true";

    static final int OPCODE_CONTINUATION = 0x0;

    static final int OPCODE_TEXT = 0x1;

    static final int OPCODE_BINARY = 0x2;

    private static final int OPCODE_CLOSE = 0x8;

    private static final int TIMEOUT_MILLIS = 10_000;

    private final SSLSocket socket;

    private final InputStream in;

    private final OutputStream out;

    private volatile int closeStatus = -1;

    private DeviceSocket(SSLSocket socket, boolean webSocket) throws IOException {
        this.socket = socket;
        this.in = webSocket ? new FrameInput(socket.getInputStream()) : socket.getInputStream();
        this.out = webSocket ? new FrameOutput() : socket.getOutputStream();
    }

    /** Connects to the endpoint; over WebSocket, completes the upgrade with the {@code mqtt} subprotocol. */
    static DeviceSocket open(IotHubEmulator hub, DeviceEndpoint endpoint) throws IOException {
        return open(hub, endpoint, 0);
    }

    /**
     * Connects to the endpoint with a receive buffer of the given size (0 for the default), so that a test that
     * stops reading stops the hub's writes soon.
     */
    static DeviceSocket open(IotHubEmulator hub, DeviceEndpoint endpoint, int receiveBufferBytes) throws IOException {
        boolean webSocket = endpoint == DeviceEndpoint.MQTT_WEBSOCKET;
        SSLSocket socket = tlsSocket(hub, webSocket ? hub.webSocketPort() : hub.mqttPort(), receiveBufferBytes);
        if (webSocket) {
            HttpHead answer = exchange(socket, upgradeRequest(WEBSOCKET_TARGET, "mqtt"));
            if (answer.status() != 101 || !"mqtt".equals(answer.headers().get("sec-websocket-protocol"))) {
                socket.close();
                throw new IOException("WebSocket upgrade refused: " + answer);
            }
        }
        return new DeviceSocket(socket, webSocket);
    }

    static SSLSocket tlsSocket(IotHubEmulator hub, int port, int receiveBufferBytes) throws IOException {
        SSLSocket socket = (SSLSocket) hub.clientSslContext().getSocketFactory().createSocket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("localhost", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return socket;
    }

    /** A WebSocket upgrade request; {@code subprotocols} is the header's value, or {@code null} to leave it out. */
    static String upgradeRequest(String target, String subprotocols) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + ((subprotocols != null) ? "Sec-WebSocket-Protocol: " + subprotocols + "\r\n" : "")
                + "\r\n";
    }

    /** Sends an HTTP request head and reads the answer's status line and headers (not its body). */
    static HttpHead exchange(SSLSocket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int next = in.read();
            if (next < 0) {
                throw new EOFException("Connection closed in the answer's head: " + head);
            }
            head.write(next);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        return new HttpHead(Integer.parseInt(lines[0].split(" ")[1]), headers);
    }

    InputStream in() {
        return this.in;
    }

    OutputStream out() {
        return this.out;
    }

    /** The status of the close frame the hub sent, or -1 if none arrived (yet). */
    int closeStatus() {
        return this.closeStatus;
    }

    /** Sends one masked WebSocket frame, as a client must. */
    void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        }
        else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length);
        }
        else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        OutputStream raw = this.socket.getOutputStream();
        raw.write(frame.toByteArray());
        raw.flush();
    }

    @Override
    public void close() throws IOException {
        this.socket.close();
    }

    record HttpHead(int status, Map<String, String> headers) {
    }

    /** Each write is one binary frame. */
    private final class FrameOutput extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b });
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            byte[] payload = new byte[length];
            System.arraycopy(bytes, offset, payload, 0, length);
            sendFrame(OPCODE_BINARY, true, payload);
        }
    }

    /** The payloads of the hub's data frames as one stream; a close frame ends it like the end of the connection. */
    private final class FrameInput extends InputStream {

        private final InputStream raw;

        private byte[] payload = new byte[0];

        private int position;

        private boolean ended;

        FrameInput(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            while (this.position == this.payload.length) {
                if (this.ended || !nextFrame()) {
                    return -1;
                }
            }
            return this.payload[this.position++] & 0xFF;
        }

        private boolean nextFrame() throws IOException {
            int first = this.raw.read();
            if (first < 0) {
                this.ended = true;
                return false;
            }
            int second = this.raw.read();
            long length = second & 0x7F;
            if (length >= 126) {
                int lengthBytes = (length == 126) ? 2 : 8;
                length = 0;
                for (int i = 0; i < lengthBytes; i++) {
                    length = (length << 8) | this.raw.read();
                }
            }
            byte[] content = this.raw.readNBytes((int) length);
            if ((first & 0x0F) == OPCODE_CLOSE) {
                DeviceSocket.this.closeStatus = (content.length >= 2) ? ((content[0] & 0xFF) << 8) | (content[1] & 0xFF)
                        : 1005;
                this.ended = true;
                return false;
            }
            this.payload = content;
            this.position = 0;
            return true;
        }
    }
}
