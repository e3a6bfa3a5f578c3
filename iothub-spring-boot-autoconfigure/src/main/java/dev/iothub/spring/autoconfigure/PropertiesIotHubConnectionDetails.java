package dev.iothub.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubTransport;

/**
 * Adapts {@link IotHubProperties} to {@link IotHubConnectionDetails}: the connection string, with any of
 * {@code host-name}, {@code device-id}, {@code module-id} and {@code shared-access-key} overriding its parts.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class PropertiesIotHubConnectionDetails implements IotHubConnectionDetails {

    private static final String CONNECTION_STRING = "iothub.connection-string";

    private final ConnectionString connectionString;

    private final @Nullable Integer port;

    private final @Nullable SslBundle sslBundle;

    /**
     * Reads and checks the properties.
     *
     * @throws IotHubConfigurationException naming the property that is missing or invalid
     */
    public PropertiesIotHubConnectionDetails(IotHubProperties properties, @Nullable SslBundles sslBundles) {
        this.connectionString = connectionString(properties);
        this.port = properties.getPort();
        this.sslBundle = sslBundle(properties.getSsl().getBundle(), sslBundles);
    }

    private static ConnectionString connectionString(IotHubProperties properties) {
        checkResolved(CONNECTION_STRING, properties.getConnectionString());
        checkResolved("iothub.host-name", properties.getHostName());
        checkResolved("iothub.device-id", properties.getDeviceId());
        checkResolved("iothub.module-id", properties.getModuleId());
        checkResolved("iothub.shared-access-key", properties.getSharedAccessKey());
        ConnectionString parsed = null;
        if (hasText(properties.getConnectionString())) {
            try {
                parsed = ConnectionString.parse(properties.getConnectionString());
            }
            catch (IllegalArgumentException ex) {
                throw new IotHubConfigurationException(CONNECTION_STRING, ex.getMessage(),
                        "Set iothub.connection-string to the device's connection string, "
                                + "HostName=<hub>.azure-devices.net;DeviceId=<device>;SharedAccessKey=<key>, "
                                + "as shown by 'az iot hub device-identity connection-string show'.");
            }
        }
        String hostName = override(properties.getHostName(), (parsed != null) ? parsed.hostName() : null);
        String deviceId = override(properties.getDeviceId(), (parsed != null) ? parsed.deviceId() : null);
        String moduleId = override(properties.getModuleId(), (parsed != null) ? parsed.moduleId() : null);
        String key = override(properties.getSharedAccessKey(), (parsed != null) ? parsed.sharedAccessKey() : null);
        String signature = (parsed != null && !hasText(properties.getSharedAccessKey()))
                ? parsed.sharedAccessSignature() : null;
        boolean x509 = parsed != null && parsed.x509() && !hasText(properties.getSharedAccessKey());
        if (!hasText(hostName)) {
            throw missing("iothub.host-name", "the IoT Hub host name", "HostName");
        }
        if (!hasText(deviceId)) {
            throw missing("iothub.device-id", "the device id", "DeviceId");
        }
        if (key == null && signature == null && !x509) {
            throw missing("iothub.shared-access-key", "a credential", "SharedAccessKey");
        }
        return new ConnectionString(hostName, deviceId, moduleId, key, signature,
                (parsed != null) ? parsed.gatewayHostName() : null, x509);
    }

    private static void checkResolved(String property, @Nullable String value) {
        UnresolvedPlaceholders.firstName(value).ifPresent((name) -> {
            String action = "Set " + name + " (an environment variable or a property) before the application starts";
            if (property.equals(CONNECTION_STRING) || property.equals("iothub.host-name")) {
                action += ", or write the placeholder with an empty default, ${" + name + ":}, to start without a "
                        + "hub. For local runs, add the iothub-emulator dependency: the application then runs "
                        + "against an embedded emulator while " + name + " is not set.";
            }
            else {
                action += ", or correct " + property + ".";
            }
            throw new IotHubConfigurationException(property,
                    "The value refers to ${" + name + "}, which is not set", action);
        });
    }

    private static IotHubConfigurationException missing(String property, String what, String connectionStringKey) {
        return new IotHubConfigurationException(property, "No value for " + what,
                "Set " + property + ", or set iothub.connection-string with a " + connectionStringKey + " part.");
    }

    static @Nullable SslBundle sslBundle(@Nullable String name, @Nullable SslBundles sslBundles) {
        if (!hasText(name)) {
            return null;
        }
        if (sslBundles == null) {
            throw new IotHubConfigurationException("iothub.ssl.bundle", "SSL bundles are not available",
                    "Define the bundle under spring.ssl.bundle.* and keep Spring Boot's SSL auto-configuration on.");
        }
        try {
            return sslBundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new IotHubConfigurationException("iothub.ssl.bundle", "There is no SSL bundle named '" + name + "'",
                    "Define it under spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks." + name
                            + ", or correct iothub.ssl.bundle.");
        }
    }

    private static @Nullable String override(@Nullable String property, @Nullable String fromConnectionString) {
        return hasText(property) ? property : fromConnectionString;
    }

    private static boolean hasText(@Nullable String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public String getHostName() {
        return this.connectionString.hostName();
    }

    @Override
    public String getDeviceId() {
        return this.connectionString.deviceId();
    }

    @Override
    public @Nullable String getModuleId() {
        return this.connectionString.moduleId();
    }

    @Override
    public @Nullable String getSharedAccessKey() {
        return this.connectionString.sharedAccessKey();
    }

    @Override
    public @Nullable String getSharedAccessSignature() {
        return this.connectionString.sharedAccessSignature();
    }

    @Override
    public boolean isX509() {
        return this.connectionString.x509();
    }

    @Override
    public @Nullable String getGatewayHostName() {
        return this.connectionString.gatewayHostName();
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
        return "PropertiesIotHubConnectionDetails[" + this.connectionString + "]";
    }

}
