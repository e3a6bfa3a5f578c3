package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.iothub.protocol.SasToken;

/**
 * Supplies the SAS token sent as the MQTT password, asked again at every connect.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public interface SasTokenProvider {

    /**
     * The token for the next CONNECT.
     */
    SasToken getToken();

    /**
     * Whether each call can mint a fresh token, so that the connection can renew it before it expires.
     */
    boolean isRenewable();

    /**
     * A provider that mints a new token from a device or module key at every connect.
     *
     * @param hostName the IoT Hub host name
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     * @param sharedAccessKey the Base64 key
     * @param timeToLive the lifetime of each token
     * @param clock the clock the expiry is computed from
     */
    static SasTokenProvider fromKey(String hostName, String deviceId, String moduleId, String sharedAccessKey,
            Duration timeToLive, Clock clock) {
        return new SasTokenProvider() {

            @Override
            public SasToken getToken() {
                return SasToken.create(hostName, deviceId, moduleId, sharedAccessKey,
                        Instant.now(clock).plus(timeToLive).plusSeconds(1));
            }

            @Override
            public boolean isRenewable() {
                return true;
            }

        };
    }

    /**
     * A provider that always returns a pre-built token, which cannot be renewed.
     */
    static SasTokenProvider of(SasToken token) {
        return new SasTokenProvider() {

            @Override
            public SasToken getToken() {
                return token;
            }

            @Override
            public boolean isRenewable() {
                return false;
            }

        };
    }

}
