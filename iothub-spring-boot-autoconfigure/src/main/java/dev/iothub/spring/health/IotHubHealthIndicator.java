package dev.iothub.spring.health;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubConnectionStatus;

/**
 * {@link org.springframework.boot.health.contributor.HealthIndicator} for the IoT Hub device connection: UP while
 * connected (or briefly renewing the SAS token), DOWN with the reason otherwise; it names the transport and any proxy. Details never include a
 * key, a token or the proxy's password.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubHealthIndicator extends AbstractHealthIndicator {

    private final IotHubClientManager clientManager;

    public IotHubHealthIndicator(IotHubClientManager clientManager) {
        super("IoT Hub health check failed");
        this.clientManager = clientManager;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        IotHubConnectionStatus status = this.clientManager.getStatus();
        if (status.isUp()) {
            builder.up();
        }
        else {
            builder.down();
        }
        IotHubConnectionSettings settings = this.clientManager.getSettings();
        builder.withDetail("state", status.state()).withDetail("hostName", status.hostName())
            .withDetail("deviceId", status.deviceId())
            .withDetail("transport", settings.transport().propertyValue());
        if (settings.proxy() != null) {
            builder.withDetail("proxy", settings.proxy().address());
        }
        if (status.moduleId() != null) {
            builder.withDetail("moduleId", status.moduleId());
        }
        if (status.connectedSince() != null) {
            builder.withDetail("connectedSince", status.connectedSince());
        }
        if (status.tokenExpiry() != null) {
            builder.withDetail("sasTokenExpiry", status.tokenExpiry());
        }
        if (!status.isUp()) {
            if (status.lastDisconnectReason() != null) {
                builder.withDetail("reason", status.lastDisconnectReason());
            }
            if (status.lastError() != null) {
                builder.withDetail("error", status.lastError());
            }
            builder.withDetail("reconnectAttempts", status.reconnectAttempts());
        }
    }

}
