package dev.iothub.emulator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.hub.QueuedMessage;
import dev.iothub.emulator.mqtt.ConnectHandler;
import dev.iothub.emulator.mqtt.SessionStore;
import dev.iothub.emulator.transport.MqttServer;
import dev.iothub.emulator.transport.TlsIdentity;
import dev.iothub.protocol.ConnectionString;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * A local Azure IoT Hub: the device endpoints (MQTT over TLS and MQTT over WebSocket, see {@link DeviceEndpoint})
 * plus the service side as a Java API and a REST API that mirrors IoT Hub's service REST API ({@link #serviceUri()}).
 * <p>
 * Start one with {@link #builder()}; every instance is independent (no static state) and {@link #close()} stops
 * all its threads. Identities are named by their id: {@code deviceId}, or {@code deviceId/moduleId} for a module.
 * It is over 300 lines because it is the whole Java API and its builder: each method delegates in a line or two.
 *
 * <pre>{@code
 * try (IotHubEmulator hub = IotHubEmulator.builder().start()) {
 *     hub.registerDevice("thermostat");
 *     String connectionString = hub.connectionString("thermostat");
 *     ...
 * }
 * }</pre>
 */
public final class IotHubEmulator implements AutoCloseable {

    private static final System.Logger logger = System.getLogger(IotHubEmulator.class.getName());

    /** IoT Hub's limit for a cloud-to-device message, body and properties. */
    private static final int MAX_CLOUD_TO_DEVICE_BYTES = 64 * 1024;

    private final String hubName;

    private final TlsIdentity tls;

    private final EventLoopGroup boss;

    private final EventLoopGroup workers;

    private final Hub hub;

    private final SessionStore sessions = new SessionStore();

    private final ProvisioningService provisioning;

    private final MqttServer mqttServer;

    private final @Nullable MqttServer webSocketServer;

    private final String bindAddress;

    private final @Nullable ServiceEndpoint serviceApi;

    private final @Nullable ServiceEndpoint serviceHttpsApi;

    private final String servicePolicyKey;

    /** The shared access policy whose key {@link #serviceConnectionString()} holds. */
    public static final String SERVICE_POLICY = "iothubowner";

    private IotHubEmulator(Builder builder) {
        this.hubName = builder.hubName;
        this.tls = (builder.keyStore != null) ? TlsIdentity.of(builder.keyStore, builder.keyPassword)
                : TlsIdentity.generate(builder.tlsNames());
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("iothub-emulator-accept", true),
                NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(builder.ioThreads,
                new DefaultThreadFactory("iothub-emulator-io", true), NioIoHandler.newFactory());
        this.hub = new Hub(this.workers, builder.clock, builder.telemetryCapacity, builder.telemetryCapacityBytes);
        builder.devices.forEach((deviceId, key) -> this.hub.register(deviceId, null, key));
        this.provisioning = new ProvisioningService(builder.dpsIdScope, this.hubName, this.hub, builder.clock);
        SslContext deviceTls;
        try {
            deviceTls = this.tls.deviceContext();
            this.mqttServer = MqttServer.bind(DeviceEndpoint.MQTT,
                    new InetSocketAddress(builder.bindAddress, builder.mqttPort), deviceTls, this.boss,
                    this.workers, connectHandlers(DeviceEndpoint.MQTT, builder));
        }
        catch (RuntimeException ex) {
            shutdownGroups();
            throw ex;
        }
        try {
            this.webSocketServer = (builder.webSocketPort >= 0) ? MqttServer.bind(DeviceEndpoint.MQTT_WEBSOCKET,
                    new InetSocketAddress(builder.bindAddress, builder.webSocketPort), deviceTls, this.boss,
                    this.workers, connectHandlers(DeviceEndpoint.MQTT_WEBSOCKET, builder)) : null;
        }
        catch (RuntimeException ex) {
            this.mqttServer.close();
            shutdownGroups();
            throw ex;
        }
        this.bindAddress = builder.bindAddress;
        this.servicePolicyKey = (builder.servicePolicyKey != null) ? builder.servicePolicyKey : generateKey();
        boolean loopback = isLoopback(builder.bindAddress);
        boolean plainAuthRequired = (builder.serviceAuthenticationRequired != null)
                ? builder.serviceAuthenticationRequired : !loopback;
        ServiceEndpoint serviceApi = null;
        try {
            if (builder.servicePort >= 0) {
                serviceApi = serviceEndpointFactory().start(this, serviceSettings(builder, builder.servicePort, null,
                        plainAuthRequired));
            }
            this.serviceHttpsApi = (builder.serviceHttpsPort >= 0) ? serviceEndpointFactory().start(this,
                    serviceSettings(builder, builder.serviceHttpsPort, this.tls.serverContext(), true)) : null;
        }
        catch (RuntimeException ex) {
            if (serviceApi != null) {
                serviceApi.close();
            }
            closeDeviceEndpoints();
            shutdownGroups();
            throw ex;
        }
        this.serviceApi = serviceApi;
        if (serviceApi != null && !loopback && !plainAuthRequired) {
            logger.log(System.Logger.Level.WARNING, "The service API on {0}:{1,number,#} is reachable beyond this "
                    + "host without authentication: anyone who reaches it can read every device key", 
                    builder.bindAddress, serviceApi.port());
        }
        logger.log(System.Logger.Level.INFO,
                "IoT Hub emulator {0} listening for devices on {1}:{2,number,#} (mqtt){3}, TLS by {4}", this.hubName,
                builder.bindAddress, mqttPort(), (this.webSocketServer != null)
                        ? " and port " + this.webSocketServer.port() + " (mqtt-ws)" : "",
                TlsIdentity.provider(deviceTls));
    }

    private ServiceEndpoint.Settings serviceSettings(Builder builder, int port, @Nullable SSLContext tls,
            boolean authenticationRequired) {
        Set<String> hostNames = new LinkedHashSet<>(List.of("localhost", builder.bindAddress));
        hostNames.addAll(builder.tlsNames());
        return new ServiceEndpoint.Settings(new InetSocketAddress(builder.bindAddress, port), this.boss, this.workers,
                builder.serviceRequestTimeout, builder.serviceIdleTimeout, tls,
                new ServiceEndpoint.Access(this.hubName, Map.of(SERVICE_POLICY, this.servicePolicyKey),
                        authenticationRequired, Set.copyOf(hostNames), builder.clock));
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }

    private static String generateKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Makes each new connection's CONNECT handler, with the builder's settings as they were at start. */
    private Supplier<ChannelHandler> connectHandlers(DeviceEndpoint endpoint, Builder builder) {
        Clock clock = builder.clock;
        String hubName = builder.hubName;
        Duration tokenExpiryGrace = builder.tokenExpiryGrace;
        Duration outputStallTimeout = builder.outputStallTimeout;
        return () -> new ConnectHandler(endpoint, this.hub, this.sessions, this.provisioning, clock, hubName,
                tokenExpiryGrace, outputStallTimeout);
    }

    /** The REST API, registered by the emulator jar; see {@link ServiceEndpoint} for why it is looked up. */
    private static ServiceEndpoint.Factory serviceEndpointFactory() {
        return ServiceLoader.load(ServiceEndpoint.Factory.class, IotHubEmulator.class.getClassLoader())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("No service REST API on the class path ("
                    + "META-INF/services/" + ServiceEndpoint.Factory.class.getName() + "); use servicePort(-1)"));
    }

    /**
     * A builder with the defaults: ephemeral ports on 127.0.0.1 (MQTT, MQTT over WebSocket, REST), hub name
     * {@code localhost}, no expiry grace.
     */
    public static Builder builder() {
        return new Builder();
    }

    // Endpoint and trust

    /** The port devices connect to (MQTT over TLS). */
    public int mqttPort() {
        return this.mqttServer.port();
    }

    /**
     * The port devices connect to with MQTT over WebSocket ({@code wss://{host}:{port}/$iothub/websocket}).
     *
     * @throws IllegalStateException when the WebSocket endpoint is off ({@code webSocketPort(-1)})
     */
    public int webSocketPort() {
        if (this.webSocketServer == null) {
            throw new IllegalStateException("The MQTT-over-WebSocket endpoint is off; enable it with "
                    + "IotHubEmulator.builder().webSocketPort(0) or a fixed port");
        }
        return this.webSocketServer.port();
    }

    /**
     * The port of the service REST API.
     *
     * @throws IllegalStateException when the REST API is disabled ({@code servicePort(-1)})
     */
    public int servicePort() {
        if (this.serviceApi == null) {
            throw new IllegalStateException("The service REST API is disabled");
        }
        return this.serviceApi.port();
    }

    /** The base URI of the service REST API, {@code http://{bind address}:{service port}}. */
    public URI serviceUri() {
        return URI.create("http://" + uriHost() + ":" + servicePort());
    }

    /**
     * The port of the service API over HTTPS, which always requires authentication.
     *
     * @throws IllegalStateException when the HTTPS listener is off ({@code serviceHttpsPort(-1)})
     */
    public int serviceHttpsPort() {
        if (this.serviceHttpsApi == null) {
            throw new IllegalStateException("The service API over HTTPS is off; enable it with "
                    + "IotHubEmulator.builder().serviceHttpsPort(0) or a fixed port");
        }
        return this.serviceHttpsApi.port();
    }

    /** The base URI of the service API over HTTPS, {@code https://{hub name}:{port}}. */
    public URI serviceHttpsUri() {
        String host = this.hubName.contains(":") ? "[" + this.hubName + "]" : this.hubName;
        return URI.create("https://" + host + ":" + serviceHttpsPort());
    }

    /**
     * The service connection string of the {@value #SERVICE_POLICY} policy,
     * {@code HostName={hub};SharedAccessKeyName=iothubowner;SharedAccessKey={key}}: what the official service SDKs
     * take. They connect to port 443 of the host name, so give them {@code serviceHttpsPort(443)}.
     */
    public String serviceConnectionString() {
        return "HostName=" + this.hubName + ";SharedAccessKeyName=" + SERVICE_POLICY + ";SharedAccessKey="
                + this.servicePolicyKey;
    }

    private String uriHost() {
        return this.bindAddress.contains(":") ? "[" + this.bindAddress + "]" : this.bindAddress;
    }

    /** The host name used in connection strings and expected in SAS scopes. */
    public String hubName() {
        return this.hubName;
    }

    /** The emulator's TLS certificate in PEM form, for clients to trust. */
    public String caCertificatePem() {
        return this.tls.certificatePem();
    }

    /** A PKCS12 trust store (no password) holding the emulator's certificate. */
    public KeyStore trustStore() {
        return this.tls.trustStore();
    }

    /** A client SSL context that trusts the emulator, e.g. for the official SDK's {@code ClientOptions}. */
    public SSLContext clientSslContext() {
        return this.tls.clientContext();
    }

    /** A client SSL context that trusts the emulator and presents a device certificate (X.509 authentication). */
    public SSLContext clientSslContext(DeviceCertificate device) {
        return this.tls.clientContext(device.keyManagers());
    }

    // Registry

    /** Registers a device with generated keys. */
    public DeviceIdentity registerDevice(String deviceId) {
        return this.hub.register(deviceId, null, null);
    }

    /** Registers a device with a given primary key (Base64), or a generated one for {@code null}. */
    public DeviceIdentity registerDevice(String deviceId, @Nullable String primaryKey) {
        return this.hub.register(deviceId, null, primaryKey);
    }

    /**
     * Registers a device that authenticates with a self-signed X.509 certificate (IoT Hub's thumbprint
     * authentication): it connects without a password, presenting this certificate in the TLS handshake.
     */
    public DeviceIdentity registerX509Device(String deviceId, X509Certificate certificate) {
        DeviceIdentity identity = this.hub.register(deviceId, null, null);
        this.hub.addThumbprint(identity.id(), ProvisioningService.thumbprint(certificate));
        return identity;
    }

    /**
     * Registers a device with a primary and a secondary self-signed certificate, as IoT Hub does to let a device
     * rotate its certificate: it may authenticate with either.
     */
    public DeviceIdentity registerX509Device(String deviceId, X509Certificate primary, X509Certificate secondary) {
        DeviceIdentity identity = registerX509Device(deviceId, primary);
        this.hub.addThumbprint(identity.id(), ProvisioningService.thumbprint(secondary));
        return identity;
    }

    /** Registers a module identity of a device. */
    public DeviceIdentity registerModule(String deviceId, String moduleId) {
        return registerModule(deviceId, moduleId, null);
    }

    /** Registers a module identity with the given primary key (Base64), or a generated one for {@code null}. */
    public DeviceIdentity registerModule(String deviceId, String moduleId, @Nullable String primaryKey) {
        return this.hub.register(deviceId, moduleId, primaryKey);
    }

    /** The registered identities. */
    public List<DeviceIdentity> devices() {
        return this.hub.identities();
    }

    /** A registered identity; fails with {@code 404001} when there is none. */
    public DeviceIdentity device(String id) {
        return this.hub.find(id).orElseThrow(() -> new IotHubServiceException(
                IotHubServiceException.DEVICE_NOT_FOUND, "Identity " + id + " not found"));
    }

    /** Deletes an identity (a device together with its modules) and closes its connections. */
    public void removeDevice(String id) {
        this.hub.remove(id).forEach(this.sessions::forget);
    }

    /** A connection string (with the primary key) for a registered identity. */
    public String connectionString(String id) {
        DeviceIdentity identity = device(id);
        return ConnectionString.ofKey(this.hubName, identity.deviceId(), identity.moduleId(), identity.primaryKey())
            .format();
    }

    // Device Provisioning Service

    /**
     * The ID scope of the emulator's Device Provisioning Service. It listens on the device endpoints: a device
     * provisions with global endpoint {@code {bind address}} (port {@link #mqttPort()}, or {@link #webSocketPort()}),
     * this ID scope and its registration id, and is assigned to this hub ({@link #hubName()}).
     */
    public String dpsIdScope() {
        return this.provisioning.idScope();
    }

    /**
     * Creates or replaces an individual symmetric-key enrollment.
     *
     * @param primaryKey the key (Base64), or {@code null} to generate one
     */
    public IndividualEnrollment enrollIndividual(String registrationId, @Nullable String primaryKey) {
        return this.provisioning.enrollIndividual(registrationId, primaryKey, null);
    }

    /**
     * Creates or replaces an individual symmetric-key enrollment that assigns its device to another hub, as DPS's
     * {@code iotHubHostName} does, for example a second emulator. That hub must know the device already: this
     * emulator registers only the devices it assigns to itself.
     *
     * @param primaryKey the key (Base64), or {@code null} to generate one
     * @param iotHubHostName the host name of the hub the registration answers as {@code assignedHub}
     */
    public IndividualEnrollment enrollIndividual(String registrationId, @Nullable String primaryKey,
            String iotHubHostName) {
        return this.provisioning.enrollIndividual(registrationId, primaryKey, null, iotHubHostName);
    }

    /**
     * Creates or replaces an individual X.509 enrollment: the device connects with this (self-signed) certificate,
     * whose common name must be the registration id, and is registered at the hub by its thumbprint.
     */
    public IndividualEnrollment enrollIndividualX509(String registrationId, X509Certificate certificate) {
        return this.provisioning.enrollIndividual(registrationId, null, ProvisioningService.thumbprint(certificate));
    }

    /**
     * Creates or replaces a symmetric-key enrollment group; its devices register with
     * {@link EnrollmentGroup#deviceKey(String)}.
     *
     * @param primaryKey the group key (Base64), or {@code null} to generate one
     */
    public EnrollmentGroup enrollGroup(String groupId, @Nullable String primaryKey) {
        return this.provisioning.enrollGroup(groupId, primaryKey);
    }

    /** The individual enrollment of a registration id; fails with {@code 404201} when there is none. */
    public IndividualEnrollment individualEnrollment(String registrationId) {
        return this.provisioning.individualEnrollment(registrationId);
    }

    /** An enrollment group; fails with {@code 404201} when there is none. */
    public EnrollmentGroup enrollmentGroup(String groupId) {
        return this.provisioning.enrollmentGroup(groupId);
    }

    /**
     * Enables or disables an individual enrollment, or else an enrollment group of that id; a disabled enrollment's
     * registrations are answered {@code disabled}. Fails with {@code 404201} when there is neither.
     */
    public void setEnrollmentEnabled(String registrationIdOrGroupId, boolean enabled) {
        this.provisioning.setEnabled(registrationIdOrGroupId, enabled);
    }

    /** Deletes an individual enrollment (the device stays registered at the hub). */
    public void removeEnrollment(String registrationId) {
        this.provisioning.removeEnrollment(registrationId);
    }

    /** Deletes an enrollment group (its devices stay registered at the hub). */
    public void removeEnrollmentGroup(String groupId) {
        this.provisioning.removeEnrollmentGroup(groupId);
    }

    /** The outcome of a registration id's latest registration; fails with {@code 404201} before it registered. */
    public DeviceRegistrationState registrationState(String registrationId) {
        return this.provisioning.registrationState(registrationId);
    }

    /** How many register requests the provisioning service has seen for this registration id. */
    public int registrationRequests(String registrationId) {
        return this.provisioning.registrationRequests(registrationId);
    }

    /**
     * Makes the next register request answer this status (fault injection): 429 with {@code retry-after: 1}, any
     * other status with an error body.
     */
    public void failNextRegistration(int status) {
        this.provisioning.failNextRegistration(status);
    }

    // Connections

    /** Whether the identity is connected. */
    public boolean isConnected(String id) {
        return this.hub.isConnected(id);
    }

    /**
     * The device endpoint the identity's live connection came through, or empty when it is not connected.
     *
     * @param id {@code deviceId} or {@code deviceId/moduleId}, as for {@link #isConnected(String)}
     */
    public Optional<DeviceEndpoint> connectedVia(String id) {
        return this.hub.connectedVia(id);
    }

    /**
     * The SHA-256 thumbprint (upper-case hexadecimal digits, as {@link DeviceCertificate#thumbprint()}) of the
     * certificate the identity's live connection authenticated with; empty when it is not connected or used a SAS
     * token.
     */
    public Optional<String> connectedThumbprint(String id) {
        return this.hub.connectedThumbprint(id);
    }

    /** Closes the identity's connection without notice (fault injection); its persistent session stays. */
    public void disconnect(String id) {
        this.hub.disconnect(id);
    }

    /**
     * Sends a raw PUBLISH to the identity's live connection, whatever the topic and payload (fault injection: what a
     * buggy or hostile hub could send). Nothing is checked or recorded.
     *
     * @param qos 0 or 1
     * @return completed when the device acknowledged the message (QoS 1) or it was written (QoS 0); failed if the
     * connection closes first
     * @throws IotHubServiceException {@code 404103} if the identity is not connected
     */
    public CompletableFuture<Void> publishRaw(String id, String topic, byte[] payload, int qos) {
        if (qos != 0 && qos != 1) {
            throw new IllegalArgumentException("QoS must be 0 or 1");
        }
        return this.hub.publishRaw(id, topic, payload, qos);
    }

    /**
     * Makes the hub leave the identity's later SUBSCRIBE packets unanswered, or answer them again (fault
     * injection: a hub that never sends SUBACK).
     */
    public void ignoreSubscriptions(String id, boolean ignore) {
        this.hub.subscriptionFaults().ignore(id, ignore);
    }

    /** Makes the hub refuse (SUBACK 0x80) the identity's later subscriptions to this filter (fault injection). */
    public void refuseSubscription(String id, String filter) {
        this.hub.subscriptionFaults().refuse(id, filter);
    }

    /** Removes the subscription faults set for the identity. */
    public void clearSubscriptionFaults(String id) {
        this.hub.subscriptionFaults().clear(id);
    }

    // Twins

    /** The identity's twin properties. */
    public TwinSnapshot twin(String id) {
        return this.hub.twin(id);
    }

    /**
     * Patches desired properties ({@code null} deletes) and notifies the device if it is connected and subscribed.
     *
     * @return the new desired version
     */
    public long patchDesired(String id, Map<String, ?> patch) {
        return this.hub.patchDesired(id, patch);
    }

    // Direct methods

    /**
     * Invokes a direct method and waits for the answer.
     *
     * @param payload the request body as JSON text, or {@code null} for none
     * @param responseTimeout how long to wait for the device (5 to 300 seconds)
     * @throws MethodInvocationException {@code 404103} when the device is not online or not subscribed,
     * {@code 504101} when it did not answer in time
     */
    public MethodResult invokeMethod(String id, String methodName, @Nullable String payload,
            Duration responseTimeout) {
        try {
            return invokeMethodAsync(id, methodName, payload, responseTimeout).join();
        }
        catch (CompletionException ex) {
            if (ex.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw ex;
        }
    }

    /** Invokes a direct method; the future fails with a {@link MethodInvocationException}. */
    public CompletableFuture<MethodResult> invokeMethodAsync(String id, String methodName, @Nullable String payload,
            Duration responseTimeout) {
        return this.hub.invokeMethod(id, methodName, payload, responseTimeout);
    }

    // Cloud-to-device

    /**
     * Queues a cloud-to-device message; it is delivered at QoS 1 while the device is connected and subscribed, and
     * stays queued until the device acknowledges it.
     *
     * @return the message id
     * @throws IotHubServiceException {@code 403004} when the device's queue holds 50 messages, {@code 400004} for a
     * message over IoT Hub's 64 KB limit
     */
    public String sendCloudToDevice(String id, CloudToDeviceRequest message) {
        DeviceIdentity identity = device(id);
        if (message.size() > MAX_CLOUD_TO_DEVICE_BYTES) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "A cloud-to-device message (body and properties) must not exceed 64 KB");
        }
        String messageId = (message.messageId() != null) ? message.messageId() : UUID.randomUUID().toString();
        Map<String, @Nullable String> bag = message.bag(messageId, identity.deviceId());
        this.hub.sendCloudToDevice(id, new QueuedMessage(messageId, message.body(), bag));
        return messageId;
    }

    /** The number of cloud-to-device messages not yet acknowledged by the device. */
    public int pendingCloudToDevice(String id) {
        return this.hub.pendingCloudToDevice(id);
    }

    /** Drops the identity's queued cloud-to-device messages. */
    public void purgeCloudToDevice(String id) {
        this.hub.purgeCloudToDevice(id);
    }

    // Telemetry

    /** The telemetry received from an identity, oldest first; fails with {@code 404001} for an unknown identity. */
    public List<ReceivedTelemetry> telemetry(String id) {
        device(id);
        return this.hub.telemetry(id);
    }

    /**
     * A page of the telemetry received from an identity, oldest first: up to {@code limit} messages whose
     * {@link ReceivedTelemetry#sequenceNumber()} is above {@code afterSequence} (0 for the oldest kept) and that were
     * enqueued at or after {@code since} ({@code null} for any time).
     */
    public List<ReceivedTelemetry> telemetry(String id, long afterSequence, @Nullable Instant since, int limit) {
        device(id);
        return this.hub.telemetryPage(id, afterSequence, since, limit);
    }

    /**
     * Calls the listener with each telemetry message of the identity received from now on, in order, on the thread
     * of the device's connection: it must be quick and must not block. Closing the subscription stops the calls.
     */
    public TelemetrySubscription subscribeTelemetry(String id, Consumer<ReceivedTelemetry> listener) {
        device(id);
        return this.hub.subscribeTelemetry(id, listener)::run;
    }

    /** All telemetry received, oldest first. */
    public List<ReceivedTelemetry> telemetry() {
        return this.hub.telemetry(null);
    }

    /**
     * Waits until telemetry from the identity matches the filter and returns the first match, which may have
     * arrived before the call: the race-free way to assert on telemetry an action triggers.
     *
     * @throws AssertionError when none arrives within the timeout
     */
    public ReceivedTelemetry awaitTelemetry(String id, Predicate<ReceivedTelemetry> filter, Duration timeout) {
        return await(id, timeout, () -> this.hub.awaitTelemetry(id, filter, timeout));
    }

    /**
     * Waits for the next telemetry message from the identity, one received after this call (for example the next
     * periodic reading).
     *
     * @throws AssertionError when none arrives within the timeout
     */
    public ReceivedTelemetry awaitNextTelemetry(String id, Duration timeout) {
        return await(id, timeout, () -> this.hub.awaitNextTelemetry(id, (message) -> true, timeout));
    }

    private ReceivedTelemetry await(String id, Duration timeout, TelemetryWait wait) {
        device(id);
        try {
            return wait.await().orElseThrow(() -> new AssertionError(
                    "No matching telemetry from " + id + " within " + timeout));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for telemetry", ex);
        }
    }

    @FunctionalInterface
    private interface TelemetryWait {

        Optional<ReceivedTelemetry> await() throws InterruptedException;

    }

    /** Forgets the telemetry received so far. */
    public void clearTelemetry() {
        this.hub.clearTelemetry(null);
    }

    /** Forgets the telemetry received from an identity so far. */
    public void clearTelemetry(String id) {
        device(id);
        this.hub.clearTelemetry(id);
    }

    /** Stops listening, closes every connection and stops all threads. */
    @Override
    public void close() {
        if (this.serviceApi != null) {
            this.serviceApi.close();
        }
        if (this.serviceHttpsApi != null) {
            this.serviceHttpsApi.close();
        }
        closeDeviceEndpoints();
        shutdownGroups();
    }

    private void closeDeviceEndpoints() {
        if (this.webSocketServer != null) {
            this.webSocketServer.close();
        }
        this.mqttServer.close();
    }

    private void shutdownGroups() {
        this.boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        this.workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        this.boss.terminationFuture().syncUninterruptibly();
    }

    /**
     * Configures and starts an emulator.
     */
    public static final class Builder {

        private int mqttPort;

        private int servicePort;

        private int webSocketPort;

        private int serviceHttpsPort;

        private @Nullable Boolean serviceAuthenticationRequired;

        private @Nullable String servicePolicyKey;

        private String bindAddress = "127.0.0.1";

        private String hubName = "localhost";

        private String dpsIdScope = "0ne00000000";

        private Duration tokenExpiryGrace = Duration.ZERO;

        private Duration outputStallTimeout = Duration.ofSeconds(30);

        private long telemetryCapacityBytes = Hub.DEFAULT_TELEMETRY_CAPACITY_BYTES;

        private int telemetryCapacity = Hub.DEFAULT_TELEMETRY_CAPACITY;

        private int ioThreads = 2;

        private Duration serviceRequestTimeout = Duration.ofSeconds(10);

        private Duration serviceIdleTimeout = Duration.ofSeconds(60);

        private @Nullable KeyStore keyStore;

        private char @Nullable [] keyPassword;

        private Clock clock = Clock.systemUTC();

        private final Map<String, @Nullable String> devices = new LinkedHashMap<>();

        private final List<String> extraTlsNames = new ArrayList<>();

        private Builder() {
        }

        /** The MQTT port; 0 (the default) picks a free one. The official SDKs need 8883. */
        public Builder mqttPort(int port) {
            this.mqttPort = port;
            return this;
        }

        /**
         * The port of the MQTT-over-WebSocket endpoint; 0 (the default) picks a free one, -1 turns the endpoint off.
         * The official SDKs connect to port 443 only (which needs root or {@code CAP_NET_BIND_SERVICE} to bind);
         * the starter takes any port.
         */
        public Builder webSocketPort(int port) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("The WebSocket port must be -1 (off) or 0 to 65535");
            }
            this.webSocketPort = port;
            return this;
        }

        /** The service REST API port; 0 (the default) picks a free one, -1 disables the REST API. */
        public Builder servicePort(int port) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("The service port must be -1 (disabled) or 0 to 65535");
            }
            this.servicePort = port;
            return this;
        }

        /**
         * The port of the service API over HTTPS, with the emulator's TLS identity and required authentication; 0
         * (the default) picks a free one, -1 turns it off. The official service SDKs connect to port 443 only (which
         * needs root or {@code CAP_NET_BIND_SERVICE} to bind).
         */
        public Builder serviceHttpsPort(int port) {
            if (port < -1 || port > 65535) {
                throw new IllegalArgumentException("The service HTTPS port must be -1 (off) or 0 to 65535");
            }
            this.serviceHttpsPort = port;
            return this;
        }

        /**
         * Whether the plain HTTP service API requires a service SAS token ({@code Authorization} header). By default
         * it does when the bind address is not a loopback address, and does not on loopback (for curl). HTTPS always
         * requires one.
         */
        public Builder serviceAuthenticationRequired(boolean required) {
            this.serviceAuthenticationRequired = required;
            return this;
        }

        /** The Base64 key of the {@value #SERVICE_POLICY} shared access policy; a random one by default. */
        public Builder servicePolicyKey(String base64Key) {
            try {
                if (Base64.getDecoder().decode(base64Key).length == 0) {
                    throw new IllegalArgumentException("The service policy key must not be empty");
                }
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("The service policy key must be Base64");
            }
            this.servicePolicyKey = base64Key;
            return this;
        }

        /**
         * How long a REST client may take to send a whole request (line, headers and body) before its connection is
         * closed; 10 seconds by default.
         */
        Builder serviceRequestTimeout(Duration timeout) {
            this.serviceRequestTimeout = positive(timeout, "service request timeout");
            return this;
        }

        /** How long a kept-alive REST connection may stay silent after an answer; 60 seconds by default. */
        Builder serviceIdleTimeout(Duration timeout) {
            this.serviceIdleTimeout = positive(timeout, "service idle timeout");
            return this;
        }

        /** The address to listen on; {@code 127.0.0.1} by default. */
        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        /**
         * The host name put in connection strings (and added to the certificate); {@code localhost} by default.
         * The official Java SDK needs a dot in it, e.g. {@code 127.0.0.1}.
         */
        public Builder hubName(String hubName) {
            this.hubName = hubName;
            return this;
        }

        /** The ID scope of the Device Provisioning Service on the device endpoints; {@code 0ne00000000} by default. */
        public Builder dpsIdScope(String idScope) {
            this.dpsIdScope = idScope;
            return this;
        }

        /**
         * Adds a host name or IP address to the generated certificate, besides {@code localhost}, the loopback
         * addresses and the hub name: the name a client connects to when it reaches the emulator through another host,
         * e.g. a container's published port.
         */
        public Builder tlsSubjectAlternativeName(String hostOrAddress) {
            this.extraTlsNames.add(hostOrAddress);
            return this;
        }

        private List<String> tlsNames() {
            List<String> names = new ArrayList<>();
            names.add(this.hubName);
            names.addAll(this.extraTlsNames);
            return names;
        }

        /** How long after a SAS token's expiry the connection is closed; zero by default (the real hub allows ~10 min). */
        public Builder tokenExpiryGrace(Duration grace) {
            this.tokenExpiryGrace = grace;
            return this;
        }

        /**
         * How long a device may leave more than 256 KB of the hub's messages unread before the hub closes its
         * connection (meanwhile the hub stops reading the device's requests); 30 seconds by default.
         */
        public Builder outputStallTimeout(Duration timeout) {
            this.outputStallTimeout = positive(timeout, "output stall timeout");
            return this;
        }

        /**
         * How many received telemetry messages the hub keeps per device or module; beyond it the identity's oldest
         * messages are dropped. 10,000 by default.
         */
        public Builder telemetryCapacity(int messages) {
            if (messages <= 0) {
                throw new IllegalArgumentException("The telemetry capacity must be positive");
            }
            this.telemetryCapacity = messages;
            return this;
        }

        /**
         * How much received telemetry the hub keeps per device or module, in bytes (bodies and properties); beyond
         * it the identity's oldest messages are dropped. 16 MiB by default.
         */
        public Builder telemetryCapacityBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("The telemetry capacity must be positive");
            }
            this.telemetryCapacityBytes = bytes;
            return this;
        }

        /** Number of I/O threads serving connections; 2 by default. */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** Uses a TLS key and certificate from a key store instead of generating one. */
        public Builder keyStore(KeyStore keyStore, char[] keyPassword) {
            this.keyStore = keyStore;
            this.keyPassword = keyPassword.clone();
            return this;
        }

        /** The hub's clock (token expiry, enqueued times); the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Registers a device at start with a generated key. */
        public Builder device(String deviceId) {
            return device(deviceId, null);
        }

        /** Registers a device at start with the given primary key (Base64), or a generated one for {@code null}. */
        public Builder device(String deviceId, @Nullable String primaryKey) {
            this.devices.put(deviceId, primaryKey);
            return this;
        }

        /** Starts the emulator; returns once it listens. */
        public IotHubEmulator start() {
            return new IotHubEmulator(this);
        }

        private static Duration positive(Duration timeout, String name) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("The " + name + " must be positive");
            }
            return timeout;
        }
    }
}
