package dev.iothub.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

import dev.iothub.spring.connection.IotHubTransport;

/**
 * Details required to connect to IoT Hub as a device or module. Define a bean of this type to supply them from
 * somewhere other than the {@code iothub.*} properties, for example from a test emulator.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public interface IotHubConnectionDetails extends ConnectionDetails {

    /** The IoT Hub host name, for example {@code my-hub.azure-devices.net}. */
    String getHostName();

    /** The device id. */
    String getDeviceId();

    /** The module id, or {@code null} for a device identity. */
    default @Nullable String getModuleId() {
        return null;
    }

    /** The Base64 symmetric key, or {@code null}. */
    default @Nullable String getSharedAccessKey() {
        return null;
    }

    /** A pre-built SAS token (cannot be renewed), or {@code null}. */
    default @Nullable String getSharedAccessSignature() {
        return null;
    }

    /** Whether the identity authenticates with the client certificate of {@link #getSslBundle()}. */
    default boolean isX509() {
        return false;
    }

    /** The host to open the socket to instead of the hub (IoT Edge), or {@code null}. */
    default @Nullable String getGatewayHostName() {
        return null;
    }

    /**
     * The MQTT port.
     *
     * @deprecated since 0.2.0: the port depends on the transport; implement {@link #getPort(IotHubTransport)}
     */
    @Deprecated(since = "0.2.0")
    default int getPort() {
        return IotHubTransport.MQTT.defaultPort();
    }

    /**
     * The port of the hub or gateway for a transport. The default returns {@link #getPort()} for
     * {@link IotHubTransport#MQTT}, so that details written for 0.1 keep their port, and the transport's standard port
     * otherwise.
     *
     * @param transport the transport the application selected with {@code iothub.transport}
     */
    @SuppressWarnings("deprecation")
    default int getPort(IotHubTransport transport) {
        return (transport == IotHubTransport.MQTT) ? getPort() : transport.defaultPort();
    }

    /** The SSL bundle with the trust material and, for X.509, the client certificate, or {@code null}. */
    default @Nullable SslBundle getSslBundle() {
        return null;
    }

}
