package dev.iothub.spring.autoconfigure.emulator;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;

/**
 * Connection details for a device registered in an {@link IotHubEmulator}: its host, port, key, and an SSL bundle
 * that trusts the emulator's certificate.
 */
public class EmulatorIotHubConnectionDetails implements IotHubConnectionDetails {

    private final IotHubEmulator emulator;

    private final DeviceIdentity identity;

    private final SslBundle sslBundle;

    /**
     * Creates the details, registering the device in the emulator unless it exists.
     *
     * @param emulator the running emulator
     * @param deviceId the device to connect as
     */
    public EmulatorIotHubConnectionDetails(IotHubEmulator emulator, String deviceId) {
        this.emulator = emulator;
        this.identity = emulator.devices().stream()
            .filter((device) -> device.id().equals(deviceId))
            .findFirst()
            .orElseGet(() -> emulator.registerDevice(deviceId));
        this.sslBundle = SslBundle.of(SslStoreBundle.of(null, null, emulator.trustStore()));
    }

    @Override
    public String getHostName() {
        return this.emulator.hubName();
    }

    @Override
    public String getDeviceId() {
        return this.identity.deviceId();
    }

    @Override
    public String getSharedAccessKey() {
        return this.identity.primaryKey();
    }

    @Override
    public int getPort() {
        return this.emulator.mqttPort();
    }

    @Override
    public SslBundle getSslBundle() {
        return this.sslBundle;
    }

}
