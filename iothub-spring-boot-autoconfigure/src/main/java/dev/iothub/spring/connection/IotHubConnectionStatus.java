package dev.iothub.spring.connection;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.iothub.spring.event.DisconnectReason;

/**
 * A snapshot of the connection, for health checks and diagnostics. It never contains a key or a token.
 *
 * @param state the connection state
 * @param hostName the IoT Hub host name
 * @param deviceId the device id
 * @param moduleId the module id, or {@code null}
 * @param connectedSince when the current connection was established, or {@code null}
 * @param lastDisconnectReason why the connection was last lost, or {@code null}
 * @param lastError a description of the last failure, or {@code null}
 * @param reconnectAttempts the number of failed attempts since the last successful connect
 * @param tokenExpiry when the SAS token in use expires, or {@code null} (X.509)
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record IotHubConnectionStatus(IotHubConnectionState state, String hostName, String deviceId,
        @Nullable String moduleId, @Nullable Instant connectedSince, @Nullable DisconnectReason lastDisconnectReason,
        @Nullable String lastError, int reconnectAttempts, @Nullable Instant tokenExpiry) {

    /** Whether messages flow: connected, or briefly renewing the token. */
    public boolean isUp() {
        return this.state == IotHubConnectionState.CONNECTED || this.state == IotHubConnectionState.RENEWING_TOKEN;
    }

}
