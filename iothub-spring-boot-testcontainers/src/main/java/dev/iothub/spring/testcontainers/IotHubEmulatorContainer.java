package dev.iothub.spring.testcontainers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.jspecify.annotations.Nullable;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import dev.iothub.protocol.ConnectionString;

/**
 * The IoT Hub emulator in a container (the image {@code iothub-emulator/Containerfile} builds): devices connect with
 * MQTT over TLS to {@link #getMqttPort()}, tests drive the hub through its service REST API at
 * {@link #getRestBaseUri()}, most easily with {@link #getServiceClient()}.
 * <p>
 * The emulator's certificate is generated when the container starts and also covers {@link #getHost()}, so a client
 * that trusts {@link #getCaCertificatePem()} verifies the host name it connects to. Connection strings keep the hub
 * name ({@value #HUB_NAME}) as {@code HostName}, which SAS tokens are signed for; the published port differs from
 * 8883, so a client takes {@link #getHost()} and {@link #getMqttPort()} separately.
 * <p>
 * Use it with {@code @ServiceConnection} to connect a Spring Boot application without any {@code iothub.*}
 * property; the application connects as {@link #getDefaultDeviceId()}.
 */
public class IotHubEmulatorContainer extends GenericContainer<IotHubEmulatorContainer> {

    /** The image name users build with the documented command. */
    public static final DockerImageName DEFAULT_IMAGE_NAME = DockerImageName.parse("iothub-emulator");

    /** The tag of {@link #DEFAULT_IMAGE_NAME}: this project's version. */
    public static final String DEFAULT_TAG = "0.1.0-SNAPSHOT";

    /** The MQTT over TLS port inside the container. */
    public static final int MQTT_PORT = 8883;

    /** The MQTT over WebSocket port inside the container (the standalone emulator's default). */
    public static final int WEB_SOCKET_PORT = 8443;

    /** The service REST API port inside the container. */
    public static final int REST_PORT = 8080;

    /** The hub name of connection strings and SAS tokens; the image's default. */
    public static final String HUB_NAME = "localhost";

    /** The device the emulator registers when none is declared. */
    public static final String DEFAULT_DEVICE_ID = "device-1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final String LOOPBACK = "127.0.0.1";

    private final Map<String, @Nullable String> devices = new LinkedHashMap<>();

    private @Nullable String caCertificatePem;

    private @Nullable IotHubEmulatorServiceClient serviceClient;

    /** The key of the {@code iothubowner} policy, made per container: the image's service API requires one. */
    private final String servicePolicyKey = newKey();

    /** A container of {@code iothub-emulator:}{@value #DEFAULT_TAG}. */
    public IotHubEmulatorContainer() {
        this(DEFAULT_IMAGE_NAME.withTag(DEFAULT_TAG));
    }

    /**
     * A container of the given image.
     *
     * @param image an image name, e.g. {@code iothub-emulator:0.1.0-SNAPSHOT}
     */
    public IotHubEmulatorContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /**
     * A container of the given image.
     *
     * @param image the image name
     */
    public IotHubEmulatorContainer(DockerImageName image) {
        super(image);
        init();
    }

    /**
     * A container of an image that is resolved when the container starts, e.g. an
     * {@link org.testcontainers.images.builder.ImageFromDockerfile} built from the emulator's Containerfile.
     *
     * @param image the future image name
     */
    public IotHubEmulatorContainer(Future<String> image) {
        super(image);
        init();
    }

    private void init() {
        withExposedPorts(MQTT_PORT, WEB_SOCKET_PORT, REST_PORT);
        waitingFor(Wait.forLogMessage("ready\\s*", 1).withStartupTimeout(STARTUP_TIMEOUT));
        withCreateContainerCmdModifier(this::publishOnLoopbackWhereReachable);
    }

    /**
     * The REST API answers every device's key to anyone who reaches it, so when clients reach the container through
     * the loopback interface (a local Docker), its ports are published there only, not on every interface. A remote
     * or bridged host ({@link #getHost()} not loopback) keeps Testcontainers' default.
     */
    private void publishOnLoopbackWhereReachable(CreateContainerCmd command) {
        if (!isLoopback(getHost())) {
            return;
        }
        HostConfig hostConfig = command.getHostConfig();
        if (hostConfig == null) {
            return;
        }
        hostConfig.withPortBindings(getExposedPorts().stream()
            .map((port) -> new PortBinding(Ports.Binding.bindIp(LOOPBACK), ExposedPort.tcp(port)))
            .toList());
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }

    /**
     * Registers a device when the container starts, with a key the emulator generates.
     *
     * @param deviceId the device id
     * @return this container
     */
    public IotHubEmulatorContainer withDevice(String deviceId) {
        return withDevice(deviceId, null);
    }

    /**
     * Registers a device when the container starts. The first device declared is the one
     * {@code @ServiceConnection} connects as.
     *
     * @param deviceId the device id, without {@code /}, {@code :} or {@code ,}
     * @param primaryKey the Base64 primary key, or {@code null} for a generated one
     * @return this container
     */
    public IotHubEmulatorContainer withDevice(String deviceId, @Nullable String primaryKey) {
        if (deviceId.isBlank() || deviceId.contains("/") || deviceId.contains(":") || deviceId.contains(",")) {
            throw new IllegalArgumentException("A device id must be non-blank, without '/', ':' or ',': " + deviceId);
        }
        this.devices.put(deviceId, primaryKey);
        return self();
    }

    @Override
    protected void configure() {
        super.configure();
        String declared = this.devices.entrySet()
            .stream()
            .map((device) -> (device.getValue() != null) ? device.getKey() + ":" + device.getValue() : device.getKey())
            .collect(Collectors.joining(","));
        withEnv("IOTHUB_EMULATOR_DEVICES", declared);
        withEnv("IOTHUB_EMULATOR_TLS_SANS", getHost());
        withEnv("IOTHUB_EMULATOR_SERVICE_KEY", this.servicePolicyKey);
    }

    @Override
    protected void containerIsStopped(InspectContainerResponse containerInfo) {
        super.containerIsStopped(containerInfo);
        this.caCertificatePem = null;
        this.serviceClient = null;
    }

    /** The device an application connects as through {@code @ServiceConnection}: the first declared one. */
    public String getDefaultDeviceId() {
        return this.devices.isEmpty() ? DEFAULT_DEVICE_ID : this.devices.keySet().iterator().next();
    }

    /** The host port that MQTT over TLS is published on. */
    public int getMqttPort() {
        return getMappedPort(MQTT_PORT);
    }

    /** The host port that MQTT over WebSocket ({@code wss://…/$iothub/websocket}) is published on. */
    public int getWebSocketPort() {
        return getMappedPort(WEB_SOCKET_PORT);
    }

    /** The base URI of the service REST API, e.g. {@code http://localhost:32768}. */
    public URI getRestBaseUri() {
        return URI.create("http://" + hostForUri() + ":" + getMappedPort(REST_PORT));
    }

    /**
     * The service connection string of the {@code iothubowner} policy, for {@link IotHubEmulatorServiceClient} or
     * any client that signs service SAS tokens: the image listens beyond loopback, so its service API requires them.
     */
    public String getServiceConnectionString() {
        return "HostName=" + HUB_NAME + ";SharedAccessKeyName=iothubowner;SharedAccessKey=" + this.servicePolicyKey;
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** A client for the service REST API: invoke methods, patch desired properties, send and await messages. */
    public IotHubEmulatorServiceClient getServiceClient() {
        IotHubEmulatorServiceClient client = this.serviceClient;
        if (client == null) {
            client = new IotHubEmulatorServiceClient(getRestBaseUri(), getServiceConnectionString());
            this.serviceClient = client;
        }
        return client;
    }

    /**
     * The device's connection string with {@code GatewayHostName} set to {@link #getHost()} when that is not the hub
     * name, so the socket goes where the container is published. Its port is {@link #getMqttPort()}, not 8883.
     *
     * @param deviceId a registered device
     */
    public String getConnectionString(String deviceId) {
        ConnectionString hub = ConnectionString.parse(getServiceClient().connectionString(deviceId));
        String gateway = HUB_NAME.equalsIgnoreCase(getHost()) ? null : getHost();
        return new ConnectionString(hub.hostName(), hub.deviceId(), hub.moduleId(), hub.sharedAccessKey(),
                hub.sharedAccessSignature(), gateway, hub.x509()).format();
    }

    /**
     * The device's primary key.
     *
     * @param deviceId a registered device
     */
    public String getPrimaryKey(String deviceId) {
        return getServiceClient().primaryKey(deviceId);
    }

    /** The PEM of the certificate devices must trust, generated when the container started. */
    public String getCaCertificatePem() {
        String pem = this.caCertificatePem;
        if (pem == null) {
            pem = getServiceClient().caCertificatePem();
            this.caCertificatePem = pem;
        }
        return pem;
    }

    /** A trust store holding {@link #getCaCertificatePem()}. */
    public KeyStore getTrustStore() {
        try {
            Certificate certificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(getCaCertificatePem().getBytes(StandardCharsets.US_ASCII)));
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("iothub-emulator", certificate);
            return trustStore;
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("Cannot read the emulator's CA certificate", ex);
        }
    }

    /** A client {@link SSLContext} that trusts the emulator, for a device client of a test's own. */
    public SSLContext createClientSslContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(getTrustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot build an SSL context trusting the emulator", ex);
        }
    }

    private String hostForUri() {
        String host = getHost();
        return (host.contains(":") && !host.startsWith("[")) ? "[" + host + "]" : host;
    }
}
