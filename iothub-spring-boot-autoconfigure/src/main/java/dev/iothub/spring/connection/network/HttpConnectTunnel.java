package dev.iothub.spring.connection.network;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens an HTTP {@code CONNECT} tunnel (RFC 9110 §9.3.6) on a socket connected to the proxy. It reads the answer
 * byte by byte up to the blank line, so nothing of the TLS stream that follows is consumed, accepts any {@code 2xx}
 * from an {@code HTTP/1.0} or {@code HTTP/1.1} proxy, and bounds the answer's size. It sends no {@code Connection}
 * header: a tunnel is neither kept alive nor upgraded.
 */
final class HttpConnectTunnel {

    /** The largest proxy answer read, status line and headers together. */
    static final int MAX_ANSWER_BYTES = 8192;

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] ([0-9]{3})(?: .*)?");

    private HttpConnectTunnel() {
    }

    /**
     * Asks the proxy for a tunnel and returns once it is open; the socket then carries the target's bytes.
     *
     * @param socket connected to the proxy, with a read timeout that bounds the wait for the answer
     * @throws HttpProxyException if the proxy refuses, answers something else than HTTP, closes or does not answer
     * @throws IOException if writing or reading fails otherwise
     */
    static void open(Socket socket, HttpProxy proxy, String host, int port) throws IOException {
        String target = authority(host, port);
        StringBuilder request = new StringBuilder("CONNECT ").append(target).append(" HTTP/1.1\r\n")
            .append("Host: ").append(target).append("\r\n");
        if (proxy.username() != null) {
            String credentials = proxy.username() + ":" + ((proxy.password() != null) ? proxy.password() : "");
            request.append("Proxy-Authorization: Basic ")
                .append(Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> lines = readAnswer(socket.getInputStream(), proxy, target);
        String statusLine = lines.get(0);
        Matcher status = STATUS_LINE.matcher(statusLine);
        if (!status.matches()) {
            throw refused(proxy, target, 0, "answered the CONNECT with '" + printable(statusLine)
                    + "', which is not an HTTP/1.x status line");
        }
        int code = Integer.parseInt(status.group(1));
        if (code < 200 || code > 299) {
            String authenticate = lines.stream()
                .filter((line) -> line.toLowerCase(Locale.ROOT).startsWith("proxy-authenticate:")
                        || line.toLowerCase(Locale.ROOT).startsWith("www-authenticate:"))
                .map((line) -> line.substring(line.indexOf(':') + 1).trim())
                .reduce((first, second) -> first + ", " + second)
                .map((schemes) -> "; it asks for " + printable(schemes))
                .orElse("");
            throw refused(proxy, target, code, "refused the CONNECT: '" + printable(statusLine) + "'" + authenticate);
        }
    }

    private static List<String> readAnswer(InputStream in, HttpProxy proxy, String target) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int next;
            try {
                next = in.read();
            }
            catch (SocketTimeoutException ex) {
                throw new HttpProxyException(proxy.address(), target, 0, "The HTTP proxy " + proxy.address()
                        + " did not answer the CONNECT to " + target + " in time", ex);
            }
            if (next < 0) {
                throw refused(proxy, target, 0, (total == 0) ? "closed the connection without answering the CONNECT"
                        : "closed the connection in the middle of its answer to the CONNECT"
                                + (lines.isEmpty() ? "" : " ('" + printable(lines.get(0)) + "')"));
            }
            if (++total > MAX_ANSWER_BYTES) {
                throw refused(proxy, target, 0, "answered the CONNECT with more than " + MAX_ANSWER_BYTES
                        + " bytes of headers" + (lines.isEmpty() ? "" : " ('" + printable(lines.get(0)) + "')"));
            }
            if (next == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                line.reset();
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue;
                    }
                    return lines;
                }
                lines.add(text);
            }
            else {
                line.write(next);
            }
        }
    }

    private static HttpProxyException refused(HttpProxy proxy, String target, int code, String what) {
        return new HttpProxyException(proxy.address(), target, code,
                "The HTTP proxy " + proxy.address() + " " + what + " (tunnel to " + target + ")", null);
    }

    /** The text with control characters replaced and shortened, safe for a log line. */
    private static String printable(String text) {
        String shortened = (text.length() > 200) ? text.substring(0, 200) + "..." : text;
        return shortened.replaceAll("[\\p{Cntrl}]", "?");
    }

    /** {@code host:port}, with an IPv6 address in brackets. */
    static String authority(String host, int port) {
        return ((host.indexOf(':') >= 0 && !host.startsWith("[")) ? "[" + host + "]" : host) + ":" + port;
    }

}
