package dev.iothub.emulator.hub;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Predicate;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.emulator.TwinSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The hub model, as one entry point over its services: the {@link DeviceRegistry}, the {@link DeviceLinks} between
 * identities and their connections, the {@link TelemetryLog}, the {@link TwinStore}, the {@link MethodBroker} and
 * the {@link CloudToDeviceQueues}. Device connections call it for what devices do; the service API calls it for what
 * a back end does. It holds nothing but those services and the {@link SubscriptionFaults}; each identity's state is
 * guarded by its own monitor, and nothing here blocks an event loop.
 */
public final class Hub {

    /** How many telemetry messages a hub keeps per identity unless told otherwise. */
    public static final int DEFAULT_TELEMETRY_CAPACITY = 10_000;

    /** How many bytes of telemetry a hub keeps per identity unless told otherwise. */
    public static final long DEFAULT_TELEMETRY_CAPACITY_BYTES = 16L * 1024 * 1024;

    private final DeviceRegistry registry = new DeviceRegistry();

    private final DeviceLinks links = new DeviceLinks(this.registry);

    private final TelemetryLog telemetry;

    private final TelemetryReceiver telemetryReceiver;

    private final TwinStore twins = new TwinStore(this.registry);

    private final MethodBroker methods;

    private final CloudToDeviceQueues cloudToDevice = new CloudToDeviceQueues(this.registry);

    private final SubscriptionFaults subscriptionFaults = new SubscriptionFaults();

    /**
     * Creates an empty hub that keeps {@value #DEFAULT_TELEMETRY_CAPACITY} messages and
     * {@value #DEFAULT_TELEMETRY_CAPACITY_BYTES} bytes of telemetry per identity.
     *
     * @param scheduler where method timeouts run
     * @param clock the hub's clock (enqueued times)
     */
    public Hub(ScheduledExecutorService scheduler, Clock clock) {
        this(scheduler, clock, DEFAULT_TELEMETRY_CAPACITY, DEFAULT_TELEMETRY_CAPACITY_BYTES);
    }

    /**
     * Creates an empty hub.
     *
     * @param scheduler where method timeouts run
     * @param clock the hub's clock (enqueued times)
     * @param telemetryCapacity how many telemetry messages are kept per identity, oldest dropped first
     * @param telemetryCapacityBytes how many bytes of telemetry are kept per identity, oldest dropped first
     */
    public Hub(ScheduledExecutorService scheduler, Clock clock, int telemetryCapacity, long telemetryCapacityBytes) {
        this.methods = new MethodBroker(scheduler);
        this.telemetry = new TelemetryLog(telemetryCapacity, telemetryCapacityBytes);
        this.telemetryReceiver = new TelemetryReceiver(this.registry, this.telemetry, clock);
    }

    // Registry

    /**
     * Registers a device or module identity.
     *
     * @param moduleId the module id, or {@code null} for a device
     * @param primaryKey the primary key (Base64), or {@code null} to generate one
     * @throws IotHubServiceException {@code 409001} if the identity exists, {@code 404001} for a module of an
     * unknown device, {@code 400004} for a bad id or key
     */
    public DeviceIdentity register(String deviceId, @Nullable String moduleId, @Nullable String primaryKey) {
        return this.registry.register(deviceId, moduleId, primaryKey);
    }

    /** The identity with this id ({@code deviceId} or {@code deviceId/moduleId}), if registered. */
    public Optional<DeviceIdentity> find(String id) {
        return this.registry.find(id);
    }

    /** All registered identities. */
    public List<DeviceIdentity> identities() {
        return this.registry.identities();
    }

    /**
     * Removes an identity, and a device's modules with it, closing their connections.
     *
     * @return the ids of the removed identities
     */
    public List<String> remove(String id) {
        List<DeviceState> removed = this.registry.remove(id);
        DeviceLinks.closeRemoved(removed);
        return removed.stream().map((gone) -> gone.identity().id()).toList();
    }

    /**
     * Registers the SHA-256 thumbprint of a self-signed X.509 certificate the identity may authenticate with.
     *
     * @param thumbprint the thumbprint as hexadecimal digits (case and colons ignored)
     */
    public void addThumbprint(String id, String thumbprint) {
        this.registry.addThumbprint(id, thumbprint);
    }

    /** Whether the identity may authenticate with a certificate of this SHA-256 thumbprint. */
    public boolean acceptsThumbprint(String id, String thumbprint) {
        return this.registry.acceptsThumbprint(id, thumbprint);
    }

    // Connections

    /**
     * Makes a link the identity's current connection, closing the previous one (one connection per identity).
     *
     * @param modelId the IoT Plug and Play model id announced at connect, or {@code null}
     * @param authType how the connection authenticated: {@code sas} or {@code x509}
     */
    public void attach(String id, DeviceLink link, @Nullable String modelId, String authType) {
        this.links.attach(id, link, modelId, authType);
    }

    /** Forgets a link that ended; only the current link's end clears the identity's connection. */
    public void detach(String id, DeviceLink link) {
        this.links.detach(id, link);
    }

    /** Whether the identity has a live connection. */
    public boolean isConnected(String id) {
        return this.links.current(id) != null;
    }

    /** The device endpoint of the identity's live connection, or empty when it is not connected. */
    public Optional<DeviceEndpoint> connectedVia(String id) {
        return Optional.ofNullable(this.links.connectedVia(id));
    }

    /**
     * The SHA-256 thumbprint of the client certificate the identity's live connection authenticated with; empty when
     * it is not connected or authenticated with a SAS token.
     */
    public Optional<String> connectedThumbprint(String id) {
        return Optional.ofNullable(this.links.connectedThumbprint(id));
    }

    /** Closes the identity's connection, if any (fault injection). */
    public void disconnect(String id) {
        this.links.disconnect(id);
    }

    /** How SUBSCRIBE packets are misanswered (fault injection). */
    public SubscriptionFaults subscriptionFaults() {
        return this.subscriptionFaults;
    }

    /**
     * Sends a raw PUBLISH on the identity's live connection (fault injection).
     *
     * @throws IotHubServiceException {@code 404103} if the identity is not connected
     */
    public CompletableFuture<Void> publishRaw(String id, String topic, byte[] payload, int qos) {
        return this.links.publishRaw(id, topic, payload, qos);
    }

    // Telemetry

    /** Records telemetry from a connection, stamping the hub's system properties. */
    public void receiveTelemetry(DeviceIdentity identity, byte[] body, Map<String, @Nullable String> bag,
            boolean retain) {
        this.telemetryReceiver.receive(identity, body, bag, retain);
    }

    /** The telemetry received from an identity ({@code null} for all), oldest first. */
    public List<ReceivedTelemetry> telemetry(@Nullable String id) {
        return this.telemetry.find(id, (message) -> true);
    }

    /** A page of an identity's telemetry: up to {@code limit} messages after a sequence number, oldest first. */
    public List<ReceivedTelemetry> telemetryPage(String id, long afterSequence, @Nullable Instant since, int limit) {
        return this.telemetry.page(id, afterSequence, since, limit);
    }

    /** Calls the listener with each message of the identity received from now on, until the action returned runs. */
    public Runnable subscribeTelemetry(String id, Consumer<ReceivedTelemetry> listener) {
        return this.telemetry.subscribe(id, listener);
    }

    /** Waits for telemetry from an identity that matches the filter (also one received earlier). */
    public Optional<ReceivedTelemetry> awaitTelemetry(String id, Predicate<ReceivedTelemetry> filter, Duration timeout)
            throws InterruptedException {
        return this.telemetry.await(id, filter, timeout);
    }

    /** Waits for the next telemetry from an identity that matches the filter, received after this call. */
    public Optional<ReceivedTelemetry> awaitNextTelemetry(String id, Predicate<ReceivedTelemetry> filter,
            Duration timeout) throws InterruptedException {
        return this.telemetry.awaitNext(id, filter, timeout);
    }

    /** Forgets the telemetry received from an identity, or all received telemetry for {@code null}. */
    public void clearTelemetry(@Nullable String id) {
        this.telemetry.clear(id);
    }

    // Twins

    /** The twin as the service sees it. */
    public TwinSnapshot twin(String id) {
        return this.twins.twin(id);
    }

    /** The twin document a device receives for a GET. */
    public byte[] twinForDevice(String id) {
        return this.twins.twinForDevice(id);
    }

    /**
     * Merges a desired patch and notifies the device if it is connected and subscribed (notifications are not queued).
     *
     * @return the new desired version
     * @throws IotHubServiceException {@code 400004} for a property name starting with {@code $}, or a patch that
     * would take the desired properties over 32 KB or 10 levels of nesting
     */
    public long patchDesired(String id, Map<String, ?> patch) {
        return this.twins.patchDesired(id, patch);
    }

    /**
     * Applies a reported patch from a device.
     *
     * @param expectedVersion the reported version the device based its patch on, or {@code null} for any
     */
    public ReportedPatchResult patchReported(String id, byte[] body, @Nullable Long expectedVersion) {
        return this.twins.patchReported(id, body, expectedVersion);
    }

    // Direct methods

    /**
     * Invokes a direct method; fails with {@code 404103} or {@code 504101}.
     *
     * @param payload the request body as JSON text, or {@code null} for none
     */
    public CompletableFuture<MethodResult> invokeMethod(String id, String methodName, @Nullable String payload,
            Duration responseTimeout) {
        return this.methods.invoke(id, this.links.current(id), methodName, payload, responseTimeout);
    }

    /** Routes a device's method response. */
    public void methodResponse(String id, String requestId, int status, byte[] body) {
        this.methods.respond(id, requestId, status, body);
    }

    // Cloud-to-device

    /** Queues a cloud-to-device message and delivers it at once if the device is connected and subscribed. */
    public void sendCloudToDevice(String id, QueuedMessage message) {
        this.cloudToDevice.send(id, message);
    }

    /** Delivers the waiting cloud-to-device messages if the link is current and subscribed to them. */
    public void deliverCloudToDevice(String id, DeviceLink link) {
        this.cloudToDevice.deliver(id, link);
    }

    /** Completes a cloud-to-device message the device acknowledged. */
    public void cloudToDeviceAcknowledged(String id, QueuedMessage message) {
        this.cloudToDevice.acknowledged(id, message);
    }

    /** The number of cloud-to-device messages waiting or in flight. */
    public int pendingCloudToDevice(String id) {
        return this.cloudToDevice.pending(id);
    }

    /** Drops all cloud-to-device messages of an identity. */
    public void purgeCloudToDevice(String id) {
        this.cloudToDevice.purge(id);
    }
}
