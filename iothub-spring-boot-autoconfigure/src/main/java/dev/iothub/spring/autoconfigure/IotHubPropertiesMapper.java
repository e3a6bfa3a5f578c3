package dev.iothub.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.SasToken;
import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.connection.ReconnectBackoff;
import dev.iothub.spring.connection.SasTokenProvider;

/**
 * Maps {@link IotHubProperties} and {@link IotHubConnectionDetails} to the connection's settings and token
 * provider, checking every value on the way.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
class IotHubPropertiesMapper {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private static final Duration MAX_KEEP_ALIVE = Duration.ofSeconds(1177);

    private final IotHubProperties properties;

    private final IotHubConnectionDetails details;

    IotHubPropertiesMapper(IotHubProperties properties, IotHubConnectionDetails details) {
        this.properties = properties;
        this.details = details;
    }

    ConnectionString identity() {
        ConnectionString identity = new ConnectionString(this.details.getHostName(), this.details.getDeviceId(),
                this.details.getModuleId(), this.details.getSharedAccessKey(),
                this.details.getSharedAccessSignature(), this.details.getGatewayHostName(), this.details.isX509());
        try {
            identity.validate();
        }
        catch (IllegalArgumentException ex) {
            throw new IotHubConfigurationException("iothub.connection-string", ex.getMessage(),
                    "Give exactly one credential: a SharedAccessKey, a SharedAccessSignature or x509=true.");
        }
        if (identity.sharedAccessKey() != null) {
            try {
                Base64.getDecoder().decode(identity.sharedAccessKey());
            }
            catch (IllegalArgumentException ex) {
                throw new IotHubConfigurationException(keyProperty(), "The shared access key is not valid Base64",
                        "Copy the device's primary or secondary key again; it is the Base64 text that ends with '='.");
            }
        }
        if (identity.x509() && this.details.getSslBundle() == null) {
            throw new IotHubConfigurationException("iothub.ssl.bundle",
                    "x509=true needs a client certificate, and no SSL bundle is configured",
                    "Set iothub.ssl.bundle to a spring.ssl.bundle.* bundle whose key store holds the device certificate.");
        }
        return identity;
    }

    private String keyProperty() {
        return (this.properties.getSharedAccessKey() != null) ? "iothub.shared-access-key"
                : "iothub.connection-string";
    }

    @Nullable SasTokenProvider tokenProvider(ConnectionString identity, Clock clock) {
        if (identity.sharedAccessKey() != null) {
            return SasTokenProvider.fromKey(identity.hostName(), identity.deviceId(), identity.moduleId(),
                    identity.sharedAccessKey(), this.properties.getSas().getTimeToLive(), clock);
        }
        if (identity.sharedAccessSignature() != null) {
            SasToken token;
            try {
                token = SasToken.parse(identity.sharedAccessSignature());
            }
            catch (IllegalArgumentException ex) {
                throw new IotHubConfigurationException("iothub.connection-string", ex.getMessage(),
                        "Give the whole token, 'SharedAccessSignature sr=...&sig=...&se=...', or use a SharedAccessKey.");
            }
            if (token.isExpiredAt(clock.instant())) {
                throw new IotHubConfigurationException("iothub.connection-string",
                        "The SharedAccessSignature expired at " + token.expiry(),
                        "Generate a new token, or use a SharedAccessKey so that tokens are minted and renewed.");
            }
            return SasTokenProvider.of(token);
        }
        return null;
    }

    IotHubConnectionSettings settings(ConnectionString identity) {
        IotHubProperties.Sas sas = this.properties.getSas();
        IotHubProperties.Publish publish = this.properties.getPublish();
        IotHubProperties.Reconnect reconnect = this.properties.getReconnect();
        IotHubTransport transport = this.properties.getTransport();
        int port = this.details.getPort(transport);
        check(port > 0 && port < 65536, "iothub.port", "must be 1 to 65535");
        HttpProxy proxy = proxy(this.properties.getProxy());
        checkDuration(atLeast(this.properties.getKeepAlive(), ONE_SECOND)
                && this.properties.getKeepAlive().compareTo(MAX_KEEP_ALIVE) <= 0, "iothub.keep-alive",
                "must be at least 1 s (the hub counts it in whole seconds, and 0 disables it) and at most 1177 s (the hub's limit)",
                "230s");
        checkDuration(wholeSeconds(this.properties.getKeepAlive()), "iothub.keep-alive",
                "must be a whole number of seconds (the hub counts it in seconds)", "230s");
        checkDuration(atLeast(this.properties.getConnectTimeout(), ONE_SECOND), "iothub.connect-timeout",
                "must be at least 1 s (Paho counts it in whole seconds)", "30s");
        checkDuration(positive(this.properties.getOperationTimeout()), "iothub.operation-timeout", "must be positive",
                "30s");
        checkDuration(!this.properties.getShutdownTimeout().isNegative(), "iothub.shutdown-timeout",
                "must not be negative", "10s");
        checkDuration(atLeast(sas.getTimeToLive(), Duration.ofSeconds(5)), "iothub.sas.time-to-live",
                "must be at least 5 s", "1h");
        check(sas.getRenewalThreshold() > 0 && sas.getRenewalThreshold() < 1, "iothub.sas.renewal-threshold",
                "must be between 0 and 1, for example 0.85");
        check(publish.getMaxInFlight() > 0 && publish.getMaxInFlight() <= 32000, "iothub.publish.max-in-flight",
                "must be 1 to 32000");
        check(publish.getMaxPending() >= publish.getMaxInFlight(), "iothub.publish.max-pending",
                "must be at least iothub.publish.max-in-flight");
        checkDuration(!publish.getSendTimeout().isNegative(), "iothub.publish.send-timeout", "must not be negative",
                "10s");
        checkDuration(positive(reconnect.getInitialDelay()), "iothub.reconnect.initial-delay", "must be positive",
                "1s");
        checkDuration(atLeast(reconnect.getMaxDelay(), reconnect.getInitialDelay()), "iothub.reconnect.max-delay",
                "must be at least iothub.reconnect.initial-delay", "60s");
        check(reconnect.getMultiplier() >= 1, "iothub.reconnect.multiplier", "must be 1 or more");
        check(reconnect.getJitter() >= 0 && reconnect.getJitter() <= 1, "iothub.reconnect.jitter",
                "must be between 0 and 1");
        return new IotHubConnectionSettings(identity, transport, port, sslSocketFactory(), proxy,
                this.properties.getModelId(), this.properties.isCleanSession(), this.properties.getKeepAlive(),
                this.properties.getConnectTimeout(), this.properties.getOperationTimeout(),
                this.properties.getShutdownTimeout(), sas.getTimeToLive(), sas.getRenewalThreshold(),
                publish.getMaxInFlight(), publish.getMaxPending(), publish.getSendTimeout(),
                new ReconnectBackoff(reconnect.getInitialDelay(), reconnect.getMaxDelay(), reconnect.getMultiplier(),
                        reconnect.getJitter()));
    }

    /** The disk buffer of this identity, in its own sub-directory; {@code null} for the memory buffer. */
    @Nullable DiskBufferOptions bufferOptions(ConnectionString identity) {
        IotHubProperties.Buffer buffer = this.properties.getBuffer();
        if (buffer.getType() == IotHubProperties.Buffer.Type.MEMORY) {
            return null;
        }
        check(!buffer.getDirectory().isBlank(), "iothub.buffer.directory", "must not be empty");
        check(buffer.getMaxSize().toBytes() >= 64 * 1024, "iothub.buffer.max-size", "must be at least 64KB");
        checkDuration(positive(buffer.getSyncInterval()), "iothub.buffer.sync-interval", "must be positive", "200ms");
        String identityDirectory = identity.clientId().replaceAll("[^A-Za-z0-9._-]", "_");
        return new DiskBufferOptions(Path.of(buffer.getDirectory()).resolve(identityDirectory),
                buffer.getMaxSize().toBytes(), buffer.getSync(), buffer.getSyncInterval(), buffer.getWhenFull());
    }

    /** The proxy, or {@code null}; an empty value counts as unset, so "${https.proxyHost:}" works. */
    static @Nullable HttpProxy proxy(IotHubProperties.Proxy proxy) {
        String host = trimmed(proxy.getHost());
        String username = trimmed(proxy.getUsername());
        String password = (proxy.getPassword() != null && !proxy.getPassword().isEmpty()) ? proxy.getPassword()
                : null;
        if (host == null) {
            if (proxy.getPort() != null || username != null || password != null) {
                String set = (proxy.getPort() != null) ? "iothub.proxy.port"
                        : (username != null) ? "iothub.proxy.username" : "iothub.proxy.password";
                throw new IotHubConfigurationException("iothub.proxy.host",
                        set + " is set, but there is no proxy host",
                        "Set iothub.proxy.host to the HTTP proxy's host name, or remove " + set + ".");
            }
            return null;
        }
        if (host.contains("://") || host.contains("/") || host.contains("@")) {
            throw new IotHubConfigurationException("iothub.proxy.host",
                    "The value '" + withoutUserInfo(host) + "' is a URL, not a host name",
                    "Set iothub.proxy.host to the host alone (for example proxy.example.com), the port in "
                            + "iothub.proxy.port, and credentials in iothub.proxy.username and iothub.proxy.password.");
        }
        if (proxy.getPort() == null) {
            throw new IotHubConfigurationException("iothub.proxy.port", "No port for the proxy " + host,
                    "Set iothub.proxy.port to the port the HTTP proxy listens on (often 3128 or 8080; with "
                            + "iothub.proxy.host=${https.proxyHost:}, use iothub.proxy.port=${https.proxyPort:}).");
        }
        check(proxy.getPort() > 0 && proxy.getPort() < 65536, "iothub.proxy.port", "must be 1 to 65535");
        if (username != null && password == null) {
            throw new IotHubConfigurationException("iothub.proxy.password",
                    "iothub.proxy.username is set, but there is no password",
                    "Set iothub.proxy.password, or remove iothub.proxy.username for a proxy without authentication.");
        }
        if (username == null && password != null) {
            throw new IotHubConfigurationException("iothub.proxy.username",
                    "iothub.proxy.password is set, but there is no username",
                    "Set iothub.proxy.username, or remove iothub.proxy.password for a proxy without authentication.");
        }
        if (username != null && username.contains(":")) {
            throw new IotHubConfigurationException("iothub.proxy.username",
                    "The user name contains ':', which Basic authentication cannot carry",
                    "Correct iothub.proxy.username.");
        }
        return new HttpProxy(host, proxy.getPort(), username, password);
    }

    private static @Nullable String trimmed(@Nullable String value) {
        return (value != null && !value.isBlank()) ? value.trim() : null;
    }

    /** A URL as the user wrote it, without a password it may carry. */
    private static String withoutUserInfo(String url) {
        int at = url.lastIndexOf('@');
        int scheme = url.indexOf("://");
        return (at < 0) ? url : url.substring(0, (scheme >= 0) ? scheme + 3 : 0) + "***" + url.substring(at);
    }

    private @Nullable SSLSocketFactory sslSocketFactory() {
        SslBundle bundle = this.details.getSslBundle();
        return (bundle != null) ? bundle.createSslContext().getSocketFactory() : null;
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static boolean wholeSeconds(Duration duration) {
        return duration.toNanosPart() == 0;
    }

    private static boolean atLeast(Duration duration, Duration minimum) {
        return duration.compareTo(minimum) >= 0;
    }

    private static void check(boolean valid, String property, String rule) {
        if (!valid) {
            throw new IotHubConfigurationException(property, "The value " + rule,
                    "Correct " + property + " in the application's configuration.");
        }
    }

    private static void checkDuration(boolean valid, String property, String rule, String example) {
        if (!valid) {
            throw new IotHubConfigurationException(property, "The value " + rule,
                    "Set " + property + " to a duration with a unit, for example " + example
                            + "; a value without a unit is in seconds.");
        }
    }

}
