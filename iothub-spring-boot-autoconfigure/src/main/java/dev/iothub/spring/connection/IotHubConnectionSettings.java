package dev.iothub.spring.connection;

import java.time.Duration;

import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.connection.network.HubSocketFactory;

/**
 * Everything the connection needs: the identity, how to authenticate and reach the hub, and its limits.
 *
 * @param identity the identity, its host names and its credential (a key, a token or X.509)
 * @param transport MQTT over TLS or MQTT over WebSocket over TLS
 * @param port the port of the hub or gateway for that transport
 * @param sslSocketFactory the TLS socket factory, or {@code null} for the JVM default
 * @param proxy the HTTP proxy to tunnel through, or {@code null} to connect directly
 * @param modelId the IoT Plug and Play model id, or {@code null}
 * @param cleanSession whether to start a clean MQTT session
 * @param keepAlive the MQTT keep-alive interval
 * @param connectTimeout how long to wait for CONNACK and SUBACK
 * @param operationTimeout how long to wait for the answer to a twin request
 * @param shutdownTimeout how long to wait on stop (and on token renewal) for in-flight messages
 * @param sasTimeToLive the lifetime of minted SAS tokens
 * @param sasRenewalThreshold the fraction of a token's lifetime after which it is renewed
 * @param maxInFlight the maximum number of unacknowledged QoS 1 publishes
 * @param maxPending the maximum number of accepted but unacknowledged messages
 * @param sendTimeout how long a send waits for room before it fails
 * @param backoff the reconnection back-off
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record IotHubConnectionSettings(ConnectionString identity, IotHubTransport transport, int port,
        @Nullable SSLSocketFactory sslSocketFactory, @Nullable HttpProxy proxy, @Nullable String modelId, boolean cleanSession, Duration keepAlive, Duration connectTimeout,
        Duration operationTimeout, Duration shutdownTimeout, Duration sasTimeToLive, double sasRenewalThreshold,
        int maxInFlight, int maxPending, Duration sendTimeout, ReconnectBackoff backoff) {

    /** The host the socket is opened to: the gateway if there is one, else the hub. */
    public String socketHost() {
        return (this.identity.gatewayHostName() != null) ? this.identity.gatewayHostName()
                : this.identity.hostName();
    }

    /**
     * The Paho server URI: {@code tcp://host:port} or {@code ws://host:port/$iothub/websocket}, with
     * {@code ?iothub-no-client-cert=true} when the device authenticates with a SAS token (as the official SDKs do).
     * The plain schemes are deliberate: TLS, and the proxy tunnel beneath it, come from {@link #socketFactory()}.
     */
    public String serverUri() {
        String host = socketHost();
        String authority = ((host.indexOf(':') >= 0) ? "[" + host + "]" : host) + ":" + this.port;
        if (this.transport == IotHubTransport.MQTT) {
            return "tcp://" + authority;
        }
        return "ws://" + authority + IotHubTransport.WEB_SOCKET_PATH
                + (this.identity.x509() ? "" : "?iothub-no-client-cert=true");
    }

    /** The socket factory for Paho: TLS over a direct connection or over the proxy's tunnel. */
    public HubSocketFactory socketFactory() {
        SSLSocketFactory tls = (this.sslSocketFactory != null) ? this.sslSocketFactory
                : (SSLSocketFactory) SSLSocketFactory.getDefault();
        return new HubSocketFactory(tls, this.proxy);
    }

}
