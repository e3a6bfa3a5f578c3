package dev.iothub.emulator.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;

/**
 * Checks a CONNECT the way IoT Hub does: client id, username, a registered identity and a SAS token signed with one
 * of its keys, scoped to it and not expired.
 */
final class ConnectAuthenticator {

    private final Hub hub;

    private final Clock clock;

    ConnectAuthenticator(Hub hub, Clock clock) {
        this.hub = hub;
        this.clock = clock;
    }

    /**
     * Authenticates a CONNECT.
     *
     * @return the accepted connection, or empty for any failure (answered with CONNACK 5)
     */
    Optional<Authenticated> authenticate(String clientId, String username, byte[] password) {
        Optional<MqttUsername> parsedUsername = MqttUsername.parse(username);
        if (parsedUsername.isEmpty() || password == null) {
            return Optional.empty();
        }
        MqttUsername user = parsedUsername.get();
        String identityId = (user.moduleId() != null) ? user.deviceId() + "/" + user.moduleId() : user.deviceId();
        if (!identityId.equals(clientId)) {
            return Optional.empty();
        }
        Optional<DeviceIdentity> identity = this.hub.find(identityId);
        if (identity.isEmpty()) {
            return Optional.empty();
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
        if (!signed || !token.covers(user.hostName(), device.deviceId(), device.moduleId())
                || token.isExpiredAt(this.clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(new Authenticated(device, token, user.modelId()));
    }

    record Authenticated(DeviceIdentity identity, SasToken token, String modelId) {
    }
}
