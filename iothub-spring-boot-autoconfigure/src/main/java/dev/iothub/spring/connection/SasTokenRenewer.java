package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.jspecify.annotations.Nullable;

import dev.iothub.protocol.SasToken;

/**
 * Chooses the SAS token each CONNECT presents and says when the connection must present a fresh one: at the
 * renewal threshold of a minted token, or never for a pre-built one, which can only be warned about before it
 * expires. Does nothing for X.509 authentication (no provider).
 */
final class SasTokenRenewer {

    private static final Log logger = LogFactory.getLog(SasTokenRenewer.class);

    private static final Duration EXPIRY_WARNING = Duration.ofMinutes(15);

    private final @Nullable SasTokenProvider tokens;

    private final Duration timeToLive;

    private final double renewalThreshold;

    private final Clock clock;

    private final String clientId;

    private volatile @Nullable SasToken current;

    SasTokenRenewer(@Nullable SasTokenProvider tokens, IotHubConnectionSettings settings, Clock clock) {
        this.tokens = tokens;
        this.timeToLive = settings.sasTimeToLive();
        this.renewalThreshold = settings.sasRenewalThreshold();
        this.clock = clock;
        this.clientId = settings.identity().clientId();
    }

    /**
     * Sets the password of the next CONNECT to a token from the provider.
     *
     * @return {@code false}, leaving the password alone, when that token is pre-built and has expired
     */
    boolean presentToken(MqttConnectOptions options) {
        if (this.tokens == null) {
            return true;
        }
        SasToken token = this.tokens.getToken();
        this.current = token;
        if (hasExpiredForGood()) {
            return false;
        }
        options.setPassword(token.text().toCharArray());
        return true;
    }

    /** Whether the token last presented has expired. */
    boolean hasExpired() {
        SasToken token = this.current;
        return token != null && token.isExpiredAt(this.clock.instant());
    }

    /** Whether the token last presented has expired and no other can be had: retrying is pointless. */
    boolean hasExpiredForGood() {
        return this.tokens != null && !this.tokens.isRenewable() && hasExpired();
    }

    /** When the token last presented expires, or {@code null} with X.509. */
    @Nullable Instant expiry() {
        SasToken token = this.current;
        return (token != null) ? token.expiry() : null;
    }

    /** How long after connecting with the current token to reconnect with a fresh one, or {@code null} never. */
    @Nullable Duration renewalDelay() {
        Duration left = timeLeft();
        if (left == null || this.tokens == null || !this.tokens.isRenewable()) {
            return null;
        }
        long lifetime = this.timeToLive.toMillis();
        long renewIn = (long) (lifetime * this.renewalThreshold) - (lifetime - left.toMillis());
        return Duration.ofMillis(Math.max(0, renewIn));
    }

    /** How long until {@link #warnExpiring()} is due for a token that cannot be renewed, or {@code null}. */
    @Nullable Duration expiryWarningDelay() {
        Duration left = timeLeft();
        if (left == null || this.tokens == null || this.tokens.isRenewable()) {
            return null;
        }
        Duration warnIn = left.minus(EXPIRY_WARNING);
        return warnIn.isNegative() ? Duration.ZERO : warnIn;
    }

    /** Warns that the pre-built token will end the connection soon. */
    void warnExpiring() {
        logger.warn("The configured SharedAccessSignature of " + this.clientId + " expires at " + expiry()
                + " and cannot be renewed; the connection will end then. Configure a SharedAccessKey instead");
    }

    /** Why the connection ended for good once the pre-built token expired, and what to configure instead. */
    String expiredMessage() {
        return "The configured SharedAccessSignature expired at " + expiry()
                + " and cannot be renewed; configure a SharedAccessKey (iothub.shared-access-key or the connection "
                + "string) so the connection can mint its own tokens";
    }

    private @Nullable Duration timeLeft() {
        SasToken token = this.current;
        return (token != null) ? Duration.between(this.clock.instant(), token.expiry()) : null;
    }

}
