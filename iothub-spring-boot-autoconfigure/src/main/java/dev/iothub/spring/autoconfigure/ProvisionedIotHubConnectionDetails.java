package dev.iothub.spring.autoconfigure;

import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;

import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.provisioning.DeviceAssignment;

/**
 * Connection details of a device that the Device Provisioning Service assigned to a hub: the assigned hub and device
 * id, with the registration's credential (its key, the key derived from the group key, or the X.509 certificate).
 * The hub and device id are those of the current assignment, which a re-registration can change.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class ProvisionedIotHubConnectionDetails implements IotHubConnectionDetails {

    private final Supplier<DeviceAssignment> assignment;

    private final @Nullable String sharedAccessKey;

    private final @Nullable Integer port;

    private final @Nullable SslBundle sslBundle;

    /**
     * @param assignment the current hub and device id
     * @param sharedAccessKey the device key, or {@code null} for X.509
     * @param port the hub's port, or {@code null} for the transport's
     * @param sslBundle the trust material and, for X.509, the certificate, or {@code null}
     */
    public ProvisionedIotHubConnectionDetails(Supplier<DeviceAssignment> assignment, @Nullable String sharedAccessKey,
            @Nullable Integer port, @Nullable SslBundle sslBundle) {
        this.assignment = assignment;
        this.sharedAccessKey = sharedAccessKey;
        this.port = port;
        this.sslBundle = sslBundle;
    }

    @Override
    public String getHostName() {
        return this.assignment.get().hostName();
    }

    @Override
    public String getDeviceId() {
        return this.assignment.get().deviceId();
    }

    @Override
    public @Nullable String getSharedAccessKey() {
        return this.sharedAccessKey;
    }

    @Override
    public boolean isX509() {
        return this.sharedAccessKey == null;
    }

    /** The port of {@code iothub.port}, or else the transport's standard port. */
    @Override
    public int getPort(IotHubTransport transport) {
        return (this.port != null) ? this.port : transport.defaultPort();
    }

    @Override
    @Deprecated(since = "0.1.0")
    public int getPort() {
        return getPort(IotHubTransport.MQTT);
    }

    @Override
    public @Nullable SslBundle getSslBundle() {
        return this.sslBundle;
    }

    @Override
    public String toString() {
        return "ProvisionedIotHubConnectionDetails[hostName=" + getHostName() + ", deviceId=" + getDeviceId()
                + ", auth=" + ((this.sharedAccessKey != null) ? "key" : "x509") + "]";
    }

}
