package dev.iothub.spring.connection;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.connection.network.HttpProxyException;
import dev.iothub.spring.event.DisconnectReason;

/**
 * Says why the connection failed in terms a user can act on: the cause, naming the host, port, filter or property
 * involved, and the fix; in the log once in full, then briefly while the cause stays the same. Never includes a key
 * or token. Its log state is confined to the connection thread.
 */
final class ConnectionDiagnostics {

    private static final Log logger = LogFactory.getLog(ConnectionDiagnostics.class);

    private static final Duration SHORT_LIVED_CONNECTION = Duration.ofSeconds(30);

    private final String clientId;

    private final String host;

    private final int port;

    private final IotHubTransport transport;

    private final @Nullable HttpProxy proxy;

    private @Nullable String lastExplainedCause;

    private int shortLivedConnections;

    ConnectionDiagnostics(String clientId, IotHubConnectionSettings settings) {
        this.clientId = clientId;
        this.host = settings.socketHost();
        this.port = settings.port();
        this.transport = settings.transport();
        this.proxy = settings.proxy();
    }

    /** Logs a failed attempt: a cause seen for the first time in full as a warning, a repeated one briefly. */
    void logConnectFailed(Diagnosis diagnosis, int attempt) {
        if (diagnosis.key().equals(this.lastExplainedCause)) {
            logger.info(diagnosis.summary() + " (attempt " + attempt + ")");
        }
        else {
            logger.warn(diagnosis.explained());
            this.lastExplainedCause = diagnosis.key();
        }
    }

    /** The connection is up: the next failure is explained in full again. */
    void connected() {
        this.lastExplainedCause = null;
    }

    /** Why an established connection ended, with the hint that an expired token was the likely cause. */
    String connectionLost(Throwable cause, boolean tokenExpired) {
        return tokenExpired ? "The SAS token expired; " + describe(cause) : describe(cause);
    }

    /**
     * Says so when the hub keeps closing connections it accepted. From the device side a duplicate identity looks
     * like any other hub-side close (MQTT 3.1.1 carries no reason), so the warning names it as one possibility.
     *
     * @param connectedFor how long the connection had been up, or {@code null} if it never was
     * @param cause why Paho says it ended
     */
    void closedAfter(@Nullable Duration connectedFor, Throwable cause) {
        boolean closedByPeer = cause instanceof MqttException mqtt
                && mqtt.getReasonCode() == MqttException.REASON_CODE_CONNECTION_LOST;
        boolean shortLived = closedByPeer && connectedFor != null
                && connectedFor.compareTo(SHORT_LIVED_CONNECTION) < 0;
        this.shortLivedConnections = shortLived ? this.shortLivedConnections + 1 : 0;
        if (this.shortLivedConnections == 3) {
            logger.warn("The connection of " + this.clientId + " was closed from the hub's side three times in a "
                    + "row within " + SHORT_LIVED_CONNECTION.toSeconds() + " s of connecting, each time after IoT Hub "
                    + "had accepted it. Possible causes: another client connecting with the same identity (IoT Hub "
                    + "error 400027: each new connection closes the previous one), the identity being disabled or "
                    + "its keys regenerated at the hub, a gateway or proxy closing idle or long connections, or the "
                    + "hub being restarted. Check the hub's connection logs for " + this.clientId);
        }
    }

    /** The hub answered the SUBSCRIBE but refused these filters. */
    String subscriptionRefused(List<String> filters) {
        return "IoT Hub refused the subscription of " + this.clientId + " to " + String.join(", ", filters);
    }

    /** The hub did not answer the SUBSCRIBE in time. */
    String subscribeTimedOut(Duration timeout) {
        return "IoT Hub did not answer the SUBSCRIBE of " + this.clientId + " within " + timeout
                + " (iothub.connect-timeout)";
    }

    /** The SUBSCRIBE could not be sent or failed. */
    String subscribeFailed(Throwable exception) {
        return "Subscribing " + this.clientId + " failed: " + describe(exception);
    }

    /** The diagnosis of a failed CONNECT (or of the socket and TLS handshake before it). */
    Diagnosis connectFailed(Throwable exception) {
        if (exception instanceof MqttException mqtt && (mqtt.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED
                || mqtt.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION)) {
            return new Diagnosis(DisconnectReason.NOT_AUTHORIZED, "not-authorized",
                    "IoT Hub refused the credentials of " + this.clientId + " (CONNACK " + mqtt.getReasonCode() + ")",
                    "check the device id and key, or the token's expiry and scope");
        }
        String address = this.host + ":" + this.port;
        HttpProxyException proxyRefusal = find(exception, HttpProxyException.class);
        if (proxyRefusal != null) {
            return proxyFailed(proxyRefusal);
        }
        UnknownHostException unknownHost = find(exception, UnknownHostException.class);
        if (unknownHost != null) {
            return failed("unknown-host", "could not resolve the host name " + this.host,
                    "check HostName (or GatewayHostName) in iothub.connection-string or iothub.host-name, and the "
                            + "name resolution (DNS) of this machine");
        }
        if (find(exception, ConnectException.class) != null) {
            return failed("refused", address + " refused the connection",
                    "check iothub.port (IoT Hub serves MQTT on 8883 and, with iothub.transport=mqtt-ws, MQTT over "
                            + "WebSocket on 443) and that the hub or gateway is running and reachable on that port");
        }
        if (find(exception, NoRouteToHostException.class) != null
                || find(exception, SocketTimeoutException.class) != null) {
            return failed("unreachable", "could not reach " + address + " (" + rootMessage(exception) + ")",
                    "check the network, and that a firewall lets outbound connections to port " + this.port
                            + " through" + ((this.transport == IotHubTransport.MQTT)
                                    ? "; where only HTTPS may leave the network, set iothub.transport=mqtt-ws "
                                            + "(port 443) and, if there is one, iothub.proxy.*" : ""));
        }
        if (find(exception, CertPathBuilderException.class) != null
                || find(exception, CertPathValidatorException.class) != null) {
            return failed("untrusted", "the TLS certificate of " + address + " is not trusted ("
                    + rootMessage(exception) + ")",
                    "for a hub, gateway or emulator with a private CA, set iothub.ssl.bundle to an SSL bundle "
                            + "(spring.ssl.bundle.*) whose trust store holds that CA");
        }
        CertificateException certificate = find(exception, CertificateException.class);
        if (certificate != null) {
            return failed("certificate", "the TLS certificate of " + address + " was refused ("
                    + certificate.getMessage() + ")",
                    "connect with a host name the certificate names, or trust its CA through iothub.ssl.bundle");
        }
        if (find(exception, SSLException.class) != null) {
            return failed("tls", "the TLS handshake with " + address + " failed (" + rootMessage(exception) + ")",
                    "check iothub.ssl.bundle, and for X.509 authentication the device certificate and key");
        }
        String webSocket = webSocketRefusal(exception);
        if (webSocket != null) {
            return failed("websocket", "the WebSocket upgrade at " + address + IotHubTransport.WEB_SOCKET_PATH
                    + " failed (" + webSocket + ")",
                    "check that " + address + " serves IoT Hub's MQTT over WebSocket (port 443), or use "
                            + "iothub.transport=mqtt");
        }
        if (exception instanceof MqttException mqtt && mqtt.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT) {
            return failed("timeout", address + " did not answer the CONNECT in time",
                    "check the network, or raise iothub.connect-timeout");
        }
        return failed("other:" + exception.getClass().getName(), describe(exception), "");
    }

    private Diagnosis proxyFailed(HttpProxyException refusal) {
        String summary = refusal.getMessage();
        int status = refusal.getStatusCode();
        String fix;
        if (status == 407 || status == 401) {
            // tinyproxy, among others, answers a CONNECT with wrong Basic credentials 401 instead of 407
            fix = "check iothub.proxy.username and iothub.proxy.password (the proxy wants Basic credentials it "
                    + "accepts; other schemes such as NTLM or Negotiate are not supported)";
        }
        else if (status == 403 || status == 405) {
            fix = "the proxy does not allow tunnels to " + refusal.getTarget() + "; many proxies allow CONNECT only "
                    + "to port 443: set iothub.transport=mqtt-ws, or ask for the port to be allowed";
        }
        else if (status == 502 || status == 503 || status == 504) {
            fix = "the proxy could not reach " + refusal.getTarget() + ": check the host name and port, and that "
                    + "the proxy may connect there";
        }
        else if (status != 0) {
            fix = "check iothub.proxy.host and iothub.proxy.port, and the proxy's rules for CONNECT";
        }
        else if (find(refusal, UnknownHostException.class) != null || find(refusal, ConnectException.class) != null
                || find(refusal, NoRouteToHostException.class) != null
                || find(refusal, SocketTimeoutException.class) != null) {
            fix = "check iothub.proxy.host and iothub.proxy.port, and that the proxy is running";
        }
        else {
            fix = "check that iothub.proxy.host and iothub.proxy.port name an HTTP proxy (not a SOCKS proxy or a "
                    + "TLS port)";
        }
        String key = "proxy:" + status + ":" + ((refusal.getCause() != null)
                ? refusal.getCause().getClass().getName() : "");
        return failed(key, summary, fix);
    }

    private static @Nullable String webSocketRefusal(Throwable exception) {
        for (Throwable current = exception; current != null; current = current.getCause()) {
            String message = current.getMessage();
            if (message != null && message.startsWith("WebSocket Response header")) {
                return message;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }

    private Diagnosis failed(String key, String summary, String fix) {
        return new Diagnosis(DisconnectReason.CONNECT_FAILED, key,
                "Could not connect to IoT Hub as " + this.clientId + ": " + summary, fix);
    }

    /** A one-line description of an exception and its cause. */
    static String describe(Throwable exception) {
        Throwable cause = exception.getCause();
        String message = String.valueOf(exception.getMessage());
        return (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage()))
                ? message + " (" + cause.getMessage() + ")" : message;
    }

    private static String rootMessage(Throwable exception) {
        Throwable root = exception;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static <T extends Throwable> @Nullable T find(Throwable exception, Class<T> type) {
        for (Throwable current = exception; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }

    /**
     * What went wrong.
     *
     * @param reason the reason reported in events and status
     * @param key identifies the cause, so that the same cause is explained once and then said briefly
     * @param summary the cause in one sentence, naming host, port or identity
     * @param fix what to check or change, or empty when nothing specific is known
     */
    record Diagnosis(DisconnectReason reason, String key, String summary, String fix) {

        /** The summary with the fix. */
        String explained() {
            return this.fix.isEmpty() ? this.summary : this.summary + "; " + this.fix;
        }

    }

}
