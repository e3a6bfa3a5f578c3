package dev.iothub.spring.event;

import java.time.Instant;

/**
 * Published when the connection presented a fresh SAS token to the hub before the previous one expired.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubSasTokenRenewedEvent extends IotHubConnectionEvent {

    private final Instant expiry;

    public IotHubSasTokenRenewedEvent(Object source, String clientId, Instant expiry) {
        super(source, clientId);
        this.expiry = expiry;
    }

    /** When the new token expires. */
    public Instant getExpiry() {
        return this.expiry;
    }

}
