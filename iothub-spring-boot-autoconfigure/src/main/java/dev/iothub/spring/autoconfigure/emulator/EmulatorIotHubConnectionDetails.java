package dev.iothub.spring.autoconfigure.emulator;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.autoconfigure.IotHubConfigurationException;
import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;
import dev.iothub.spring.connection.IotHubTransport;

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

    /** The emulator's MQTT port, or its WebSocket port for {@link IotHubTransport#MQTT_WS}. */
    @Override
    public int getPort(IotHubTransport transport) {
        if (transport == IotHubTransport.MQTT) {
            return this.emulator.mqttPort();
        }
        try {
            return this.emulator.webSocketPort();
        }
        catch (IllegalStateException ex) {
            throw new IotHubConfigurationException("iothub.emulator.web-socket-port",
                    "iothub.transport is mqtt-ws, and the embedded emulator's WebSocket endpoint is off",
                    "Set iothub.emulator.web-socket-port to 0 (a free port) or a port, or use iothub.transport=mqtt.");
        }
    }

    @Override
    @Deprecated(since = "0.2.0")
    public int getPort() {
        return getPort(IotHubTransport.MQTT);
    }

    @Override
    public SslBundle getSslBundle() {
        return this.sslBundle;
    }

}
