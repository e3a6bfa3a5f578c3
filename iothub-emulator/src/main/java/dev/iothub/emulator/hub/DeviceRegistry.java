package dev.iothub.emulator.hub;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.protocol.MqttUsername;
import org.jspecify.annotations.Nullable;

/**
 * Which identities exist and what they authenticate with: registers, finds and removes devices and modules, and
 * hands the other hub services each identity's {@link DeviceState}, whose monitor guards it.
 */
final class DeviceRegistry {

    private final ConcurrentMap<String, DeviceState> devices = new ConcurrentHashMap<>();

    private final SecureRandom random = new SecureRandom();

    /**
     * Registers a device or module identity.
     *
     * @param primaryKey the primary key (Base64), or {@code null} to generate one
     * @throws IotHubServiceException {@code 409001} if the identity exists, {@code 404001} for a module of an
     * unknown device, {@code 400004} for a bad id or key
     */
    DeviceIdentity register(String deviceId, @Nullable String moduleId, @Nullable String primaryKey) {
        NamingRules.checkIdentityId("device", deviceId);
        if (moduleId != null) {
            NamingRules.checkIdentityId("module", moduleId);
        }
        if (primaryKey != null && !isBase64(primaryKey)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "The primary key must be Base64");
        }
        DeviceIdentity identity = new DeviceIdentity(deviceId, moduleId,
                (primaryKey != null) ? primaryKey : newKey(), newKey());
        if (moduleId == null) {
            putNew(identity);
            return identity;
        }
        DeviceState device = this.devices.get(deviceId);
        if (device == null) {
            throw moduleOfUnknownDevice(deviceId, moduleId);
        }
        synchronized (device) {
            if (this.devices.get(deviceId) != device) {
                throw moduleOfUnknownDevice(deviceId, moduleId);
            }
            putNew(identity);
            device.moduleIds().add(moduleId);
        }
        return identity;
    }

    private void putNew(DeviceIdentity identity) {
        if (this.devices.putIfAbsent(identity.id(), new DeviceState(identity)) != null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_ALREADY_EXISTS,
                    "Identity " + identity.id() + " already exists");
        }
    }

    private static IotHubServiceException moduleOfUnknownDevice(String deviceId, String moduleId) {
        return new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND,
                "Device " + deviceId + " must exist before its module " + moduleId);
    }

    Optional<DeviceIdentity> find(String id) {
        return Optional.ofNullable(this.devices.get(id)).map(DeviceState::identity);
    }

    List<DeviceIdentity> identities() {
        return this.devices.values().stream().map(DeviceState::identity).toList();
    }

    /**
     * Removes an identity, and a device's modules with it.
     *
     * @return the states of the removed identities, whose connections the caller closes
     * @throws IotHubServiceException {@code 404001} if the identity is not registered
     */
    List<DeviceState> remove(String id) {
        DeviceState state = require(id);
        DeviceIdentity identity = state.identity();
        List<DeviceState> removed = new ArrayList<>();
        if (identity.moduleId() == null) {
            synchronized (state) {
                removeExactly(state);
                removed.add(state);
                for (String moduleId : state.moduleIds()) {
                    DeviceState module = this.devices.remove(MqttUsername.clientId(identity.deviceId(), moduleId));
                    if (module != null) {
                        removed.add(module);
                    }
                }
            }
        }
        else {
            removeExactly(state);
            removed.add(state);
            DeviceState device = this.devices.get(identity.deviceId());
            if (device != null) {
                synchronized (device) {
                    device.moduleIds().remove(identity.moduleId());
                }
            }
        }
        return removed;
    }

    private void removeExactly(DeviceState state) {
        String id = state.identity().id();
        if (!this.devices.remove(id, state)) {
            throw notFound(id);
        }
    }

    /** Adds a SHA-256 thumbprint (hexadecimal digits; case and colons ignored) the identity may authenticate with. */
    void addThumbprint(String id, String thumbprint) {
        DeviceState state = require(id);
        synchronized (state) {
            state.thumbprints().add(normalizeThumbprint(thumbprint));
        }
    }

    boolean acceptsThumbprint(String id, String thumbprint) {
        DeviceState state = this.devices.get(id);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.thumbprints().contains(normalizeThumbprint(thumbprint));
        }
    }

    private static String normalizeThumbprint(String thumbprint) {
        return thumbprint.replace(":", "").toUpperCase(Locale.ROOT);
    }

    /**
     * The state of a registered identity.
     *
     * @throws IotHubServiceException {@code 404001} if the identity is not registered
     */
    DeviceState require(String id) {
        DeviceState state = this.devices.get(id);
        if (state == null) {
            throw notFound(id);
        }
        return state;
    }

    /** The state of an identity, or {@code null} when it is not (or no longer) registered. */
    @Nullable DeviceState get(String id) {
        return this.devices.get(id);
    }

    private static IotHubServiceException notFound(String id) {
        return new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND, "Identity " + id + " not found");
    }

    private String newKey() {
        byte[] key = new byte[32];
        this.random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static boolean isBase64(String key) {
        try {
            return Base64.getDecoder().decode(key).length > 0;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }
}
