package dev.iothub.emulator.mqtt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import org.jspecify.annotations.Nullable;

/**
 * Checks a CONNECT the way IoT Hub does: client id, a username naming this hub, a registered identity, and either a
 * SAS token signed with one of its keys, scoped to it on this hub and not expired, or (without a password) a valid
 * TLS client certificate whose SHA-256 thumbprint is registered for it.
 */
final class ConnectAuthenticator {

    /**
     * The latest expiry accepted: the end of year 9999, the largest time IoT Hub (a .NET service) can represent. A
     * later {@code se} is refused, so no expiry timer can overflow.
     */
    static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final Hub hub;

    private final String hubName;

    private final Clock clock;

    ConnectAuthenticator(Hub hub, String hubName, Clock clock) {
        this.hub = hub;
        this.hubName = hubName;
        this.clock = clock;
    }

    /**
     * Authenticates a CONNECT.
     *
     * @return the accepted connection, or empty for any failure (answered with CONNACK 5)
     */
    Optional<Authenticated> authenticate(String clientId, @Nullable String username, byte @Nullable [] password,
            @Nullable X509Certificate clientCertificate) {
        Optional<MqttUsername> parsedUsername = parseUsername(username);
        if (parsedUsername.isEmpty() || (password == null && clientCertificate == null)) {
            return Optional.empty();
        }
        MqttUsername user = parsedUsername.get();
        String identityId = user.clientId();
        if (!identityId.equals(clientId) || !user.hostName().equalsIgnoreCase(this.hubName)) {
            return Optional.empty();
        }
        Optional<DeviceIdentity> identity = this.hub.find(identityId);
        if (identity.isEmpty()) {
            return Optional.empty();
        }
        if (password == null) {
            return authenticateCertificate(identity.get(), clientCertificate, user.modelId());
        }
        SasToken token;
        try {
            token = SasToken.parse(new String(password, StandardCharsets.UTF_8));
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
        DeviceIdentity device = identity.get();
        boolean signed = token.isSignedWith(device.primaryKey()) || token.isSignedWith(device.secondaryKey());
        if (!signed || !token.covers(this.hubName, device.deviceId(), device.moduleId())
                || token.isExpiredAt(this.clock.instant()) || token.expiry().isAfter(LATEST_EXPIRY)) {
            return Optional.empty();
        }
        return Optional.of(new Authenticated(device, token, null, user.modelId()));
    }

    /** Parses the username; a malformed percent-escape in its query is a refusal like any other bad username. */
    private static Optional<MqttUsername> parseUsername(@Nullable String username) {
        try {
            return MqttUsername.parse(username);
        }
        catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private Optional<Authenticated> authenticateCertificate(DeviceIdentity device, X509Certificate certificate,
            @Nullable String modelId) {
        try {
            certificate.checkValidity(Date.from(this.clock.instant()));
            String thumbprint = ProvisioningService.thumbprint(certificate).toUpperCase(Locale.ROOT);
            return this.hub.acceptsThumbprint(device.id(), thumbprint)
                    ? Optional.of(new Authenticated(device, null, thumbprint, modelId)) : Optional.empty();
        }
        catch (GeneralSecurityException ex) {
            return Optional.empty();
        }
    }

    /**
     * An accepted CONNECT.
     *
     * @param identity the identity
     * @param token the SAS token, or {@code null} for X.509 authentication
     * @param certificateThumbprint the SHA-256 thumbprint of the client certificate (X.509 authentication), or
     * {@code null}
     * @param modelId the IoT Plug and Play model id, or {@code null}
     */
    record Authenticated(DeviceIdentity identity, @Nullable SasToken token, @Nullable String certificateThumbprint,
            @Nullable String modelId) {

        String authType() {
            return (this.token != null) ? "sas" : "x509";
        }
    }
}
