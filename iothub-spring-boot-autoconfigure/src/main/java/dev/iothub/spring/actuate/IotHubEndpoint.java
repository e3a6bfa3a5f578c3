package dev.iothub.spring.actuate;

import java.time.Instant;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.context.ApplicationListener;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.connection.IotHubConnectionStatus;
import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.handler.IotHubHandlerMethods;

/**
 * The read-only {@code iothub} actuator endpoint: the identity, transport, connection state, pending messages, SAS
 * token expiry and the registered handler methods. It never shows a key, token or password.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@Endpoint(id = "iothub")
public class IotHubEndpoint implements ApplicationListener<IotHubDisconnectedEvent> {

    private final IotHubClientManager clientManager;

    private final Supplier<@Nullable IotHubHandlerMethods> handlers;

    private volatile @Nullable Instant lastDisconnectAt;

    /**
     * Creates the endpoint.
     *
     * @param clientManager the connection
     * @param handlers the annotated handler methods, read at each request; {@code null} without handler support
     */
    public IotHubEndpoint(IotHubClientManager clientManager, Supplier<@Nullable IotHubHandlerMethods> handlers) {
        this.clientManager = clientManager;
        this.handlers = handlers;
    }

    /** The identity, transport, connection state, pending messages and handlers of this device connection. */
    @ReadOperation
    public IotHubDescriptor iothub() {
        IotHubConnectionSettings settings = this.clientManager.getSettings();
        ConnectionString identity = settings.identity();
        IotHubConnectionStatus status = this.clientManager.getStatus();
        HttpProxy proxy = settings.proxy();
        return new IotHubDescriptor(
                new Identity(identity.hostName(), identity.deviceId(), identity.moduleId(),
                        identity.gatewayHostName()),
                settings.transport().propertyValue(), settings.socketHost() + ":" + settings.port(),
                (proxy != null) ? proxy.host() + ":" + proxy.port() : null,
                new Connection(status.state(), status.connectedSince(), status.lastDisconnectReason(),
                        this.lastDisconnectAt, status.lastError(), status.reconnectAttempts(), status.tokenExpiry()),
                this.clientManager.getPendingCount(), this.handlers.get());
    }

    @Override
    public void onApplicationEvent(IotHubDisconnectedEvent event) {
        if (event.getSource() == this.clientManager) {
            this.lastDisconnectAt = Instant.ofEpochMilli(event.getTimestamp());
        }
    }

    /**
     * What the endpoint shows.
     *
     * @param identity who the device is
     * @param transport {@code mqtt} or {@code mqtt-ws}
     * @param endpoint the host and port the socket is opened to
     * @param proxy the HTTP proxy's host and port, or {@code null}
     * @param connection the connection state
     * @param pending messages accepted and not yet acknowledged by the hub
     * @param handlers the annotated handler methods, or {@code null} without handler support
     */
    public record IotHubDescriptor(Identity identity, String transport, String endpoint, @Nullable String proxy,
            Connection connection, int pending, @Nullable IotHubHandlerMethods handlers) {
    }

    /**
     * The identity, without credentials.
     *
     * @param hostName the IoT Hub host name
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     * @param gatewayHostName the gateway (IoT Edge) host name, or {@code null}
     */
    public record Identity(String hostName, String deviceId, @Nullable String moduleId,
            @Nullable String gatewayHostName) {
    }

    /**
     * The connection state.
     *
     * @param state the state
     * @param connectedSince when the current connection was established, or {@code null}
     * @param lastDisconnectReason why the connection was last lost, or {@code null}
     * @param lastDisconnectAt when the connection was last lost, or {@code null}
     * @param lastError the last failure, or {@code null}
     * @param reconnectAttempts failed attempts since the last successful connect
     * @param sasTokenExpiry when the SAS token in use expires, or {@code null} (X.509)
     */
    public record Connection(IotHubConnectionState state, @Nullable Instant connectedSince,
            @Nullable DisconnectReason lastDisconnectReason, @Nullable Instant lastDisconnectAt,
            @Nullable String lastError, int reconnectAttempts, @Nullable Instant sasTokenExpiry) {
    }

}
