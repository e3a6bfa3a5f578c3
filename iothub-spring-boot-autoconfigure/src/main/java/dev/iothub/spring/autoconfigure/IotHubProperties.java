package dev.iothub.spring.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.connection.IotHubTransport;

/**
 * Configuration properties for the IoT Hub device connection. Every duration takes a unit ({@code 500ms},
 * {@code 30s}, {@code 5m}); a plain number is in seconds. Longer than most classes only because every property is
 * a documented field with its accessors.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@ConfigurationProperties("iothub")
public class IotHubProperties {

    /**
     * Device or module connection string, as shown by the Azure portal or "az iot hub device-identity
     * connection-string show".
     */
    private @Nullable String connectionString;

    /**
     * IoT Hub host name, for example "my-hub.azure-devices.net"; overrides HostName of the connection string.
     */
    private @Nullable String hostName;

    /**
     * Device id; overrides DeviceId of the connection string.
     */
    private @Nullable String deviceId;

    /**
     * Module id, for a module identity; overrides ModuleId of the connection string.
     */
    private @Nullable String moduleId;

    /**
     * Base64 symmetric key of the device or module; overrides SharedAccessKey of the connection string.
     */
    private @Nullable String sharedAccessKey;

    /**
     * How to reach the hub: "mqtt" is MQTT over TLS on port 8883, "mqtt-ws" is MQTT over a WebSocket over TLS on
     * port 443, for networks that let only HTTPS through.
     */
    private IotHubTransport transport = IotHubTransport.MQTT;

    /**
     * Port of the hub or gateway; defaults to the transport's port, 8883 for mqtt and 443 for mqtt-ws.
     */
    private @Nullable Integer port;

    /**
     * IoT Plug and Play model id announced in the MQTT username.
     */
    private @Nullable String modelId;

    /**
     * Whether to start a clean MQTT session; false keeps subscriptions and queued cloud-to-device messages across
     * reconnects.
     */
    private boolean cleanSession = false;

    /**
     * MQTT keep-alive interval in whole seconds: at least 1 s and at most 1177 s; the hub closes an idle
     * connection after 1.5 times this value. If a duration suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration keepAlive = Duration.ofSeconds(230);

    /**
     * Time to wait for the hub to accept a connection (CONNACK) and the subscriptions (SUBACK); Paho counts it in
     * whole seconds, so at least 1 s. If a duration suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration connectTimeout = Duration.ofSeconds(30);

    /**
     * Time to wait for the answer to a twin request before failing it. If a duration suffix is not specified, seconds will be used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration operationTimeout = Duration.ofSeconds(30);

    /**
     * Time to wait, when the application stops and when the connection is renewed with a fresh SAS token, for
     * messages already sent to be acknowledged by the hub. If a duration suffix is not specified, seconds will be
     * used.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    private final Sas sas = new Sas();

    private final Ssl ssl = new Ssl();

    private final Publish publish = new Publish();

    private final Reconnect reconnect = new Reconnect();

    private final Proxy proxy = new Proxy();

    private final Buffer buffer = new Buffer();

    public @Nullable String getConnectionString() {
        return this.connectionString;
    }

    public void setConnectionString(@Nullable String connectionString) {
        this.connectionString = connectionString;
    }

    public @Nullable String getHostName() {
        return this.hostName;
    }

    public void setHostName(@Nullable String hostName) {
        this.hostName = hostName;
    }

    public @Nullable String getDeviceId() {
        return this.deviceId;
    }

    public void setDeviceId(@Nullable String deviceId) {
        this.deviceId = deviceId;
    }

    public @Nullable String getModuleId() {
        return this.moduleId;
    }

    public void setModuleId(@Nullable String moduleId) {
        this.moduleId = moduleId;
    }

    public @Nullable String getSharedAccessKey() {
        return this.sharedAccessKey;
    }

    public void setSharedAccessKey(@Nullable String sharedAccessKey) {
        this.sharedAccessKey = sharedAccessKey;
    }

    public IotHubTransport getTransport() {
        return this.transport;
    }

    public void setTransport(IotHubTransport transport) {
        this.transport = transport;
    }

    public @Nullable Integer getPort() {
        return this.port;
    }

    public void setPort(@Nullable Integer port) {
        this.port = port;
    }

    public @Nullable String getModelId() {
        return this.modelId;
    }

    public void setModelId(@Nullable String modelId) {
        this.modelId = modelId;
    }

    public boolean isCleanSession() {
        return this.cleanSession;
    }

    public void setCleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
    }

    public Duration getKeepAlive() {
        return this.keepAlive;
    }

    public void setKeepAlive(Duration keepAlive) {
        this.keepAlive = keepAlive;
    }

    public Duration getConnectTimeout() {
        return this.connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getOperationTimeout() {
        return this.operationTimeout;
    }

    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    public Duration getShutdownTimeout() {
        return this.shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Sas getSas() {
        return this.sas;
    }

    public Ssl getSsl() {
        return this.ssl;
    }

    public Publish getPublish() {
        return this.publish;
    }

    public Reconnect getReconnect() {
        return this.reconnect;
    }

    public Proxy getProxy() {
        return this.proxy;
    }

    public Buffer getBuffer() {
        return this.buffer;
    }

    /**
     * Shared access signature settings.
     */
    public static class Sas {

        /**
         * Lifetime of each SAS token minted from the shared access key, at least 5 s; the token's expiry is in whole
         * seconds. If a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration timeToLive = Duration.ofHours(1);

        /**
         * Fraction of the token lifetime after which the connection renews its token.
         */
        private double renewalThreshold = 0.85;

        public Duration getTimeToLive() {
            return this.timeToLive;
        }

        public void setTimeToLive(Duration timeToLive) {
            this.timeToLive = timeToLive;
        }

        public double getRenewalThreshold() {
            return this.renewalThreshold;
        }

        public void setRenewalThreshold(double renewalThreshold) {
            this.renewalThreshold = renewalThreshold;
        }

    }

    /**
     * TLS settings.
     */
    public static class Ssl {

        /**
         * Name of the SSL bundle (spring.ssl.bundle.*) holding a custom trust store and, for X.509 authentication,
         * the client certificate.
         */
        private @Nullable String bundle;

        public @Nullable String getBundle() {
            return this.bundle;
        }

        public void setBundle(@Nullable String bundle) {
            this.bundle = bundle;
        }

    }

    /**
     * Outbound publishing settings.
     */
    public static class Publish {

        /**
         * Maximum number of QoS 1 messages sent and not yet acknowledged by the hub.
         */
        private int maxInFlight = 100;

        /**
         * Maximum number of messages accepted but not yet acknowledged, including those waiting for a connection.
         */
        private int maxPending = 1000;

        /**
         * Time a send waits for room when max-pending messages are outstanding before it fails. If a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration sendTimeout = Duration.ofSeconds(10);

        public int getMaxInFlight() {
            return this.maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public int getMaxPending() {
            return this.maxPending;
        }

        public void setMaxPending(int maxPending) {
            this.maxPending = maxPending;
        }

        public Duration getSendTimeout() {
            return this.sendTimeout;
        }

        public void setSendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
        }

    }

    /**
     * Reconnection back-off settings.
     */
    public static class Reconnect {

        /**
         * Delay before the first reconnection attempt. If a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration initialDelay = Duration.ofSeconds(1);

        /**
         * Upper bound of the delay between reconnection attempts. If a duration suffix is not specified, seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration maxDelay = Duration.ofSeconds(60);

        /**
         * Factor applied to the delay after each failed attempt.
         */
        private double multiplier = 2.0;

        /**
         * Fraction of each delay that is randomised, so that many devices do not reconnect in step.
         */
        private double jitter = 0.2;

        public Duration getInitialDelay() {
            return this.initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getMaxDelay() {
            return this.maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getMultiplier() {
            return this.multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getJitter() {
            return this.jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

    }

    /**
     * HTTP proxy settings: the connection goes through the proxy's CONNECT tunnel, for either transport.
     */
    public static class Proxy {

        /**
         * Host name or address of the HTTP proxy; empty means no proxy. The JVM's https.proxyHost is not used
         * unless referred to, as in "${https.proxyHost:}".
         */
        private @Nullable String host;

        /**
         * Port of the HTTP proxy; required with a host.
         */
        private @Nullable Integer port;

        /**
         * User for the proxy's Basic authentication; empty means none.
         */
        private @Nullable String username;

        /**
         * Password for the proxy's Basic authentication; required with a username, and never logged or shown in
         * health details.
         */
        private @Nullable String password;

        public @Nullable String getHost() {
            return this.host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return this.port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

        @Override
        public String toString() {
            return "Proxy[host=" + this.host + ", port=" + this.port + ", username=" + this.username + "]";
        }

    }

    /**
     * Where telemetry waits until the hub acknowledges it.
     */
    public static class Buffer {

        /**
         * Where telemetry is held: "memory" (lost on restart, bounded by iothub.publish.max-pending) or "disk"
         * (survives outages and restarts, bounded by max-size).
         */
        private Type type = Type.MEMORY;

        /**
         * Directory of the disk buffer; each device or module identity gets its own sub-directory.
         */
        private String directory = "iothub-buffer";

        /**
         * Most disk space the buffer's files may take.
         */
        private DataSize maxSize = DataSize.ofMegabytes(100);

        /**
         * What a send does when the disk buffer is full: "block" waits up to iothub.publish.send-timeout for room,
         * then fails; "drop-oldest" discards the oldest messages not yet acknowledged, counted and logged.
         */
        private DiskBufferOptions.WhenFull whenFull = DiskBufferOptions.WhenFull.BLOCK;

        /**
         * When a stored message is forced to the storage device: "every-message" before the send is accepted
         * (concurrent sends share one sync), "interval" every sync-interval (a crash of the process loses nothing,
         * a power loss up to that interval).
         */
        private DiskBufferOptions.Sync sync = DiskBufferOptions.Sync.INTERVAL;

        /**
         * How often the disk buffer is synced and its checkpoint written. If a duration suffix is not specified,
         * seconds will be used.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration syncInterval = Duration.ofMillis(200);

        public Type getType() {
            return this.type;
        }

        public void setType(Type type) {
            this.type = type;
        }

        public String getDirectory() {
            return this.directory;
        }

        public void setDirectory(String directory) {
            this.directory = directory;
        }

        public DataSize getMaxSize() {
            return this.maxSize;
        }

        public void setMaxSize(DataSize maxSize) {
            this.maxSize = maxSize;
        }

        public DiskBufferOptions.WhenFull getWhenFull() {
            return this.whenFull;
        }

        public void setWhenFull(DiskBufferOptions.WhenFull whenFull) {
            this.whenFull = whenFull;
        }

        public DiskBufferOptions.Sync getSync() {
            return this.sync;
        }

        public void setSync(DiskBufferOptions.Sync sync) {
            this.sync = sync;
        }

        public Duration getSyncInterval() {
            return this.syncInterval;
        }

        public void setSyncInterval(Duration syncInterval) {
            this.syncInterval = syncInterval;
        }

        /** Where telemetry is held. */
        public enum Type {

            /** In memory: today's behaviour, lost on restart. */
            MEMORY,

            /** In a log on disk that survives outages and restarts. */
            DISK

        }

    }

}
