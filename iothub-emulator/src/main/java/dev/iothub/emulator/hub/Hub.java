package dev.iothub.emulator.hub;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.TelemetryMessage;
import dev.iothub.emulator.Twin;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SubscriptionFilter;
import dev.iothub.protocol.SystemProperties;
import dev.iothub.protocol.Topics;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hub model: the registry with each identity's twin, queue and connection, direct methods and the telemetry log.
 * Device connections call it for what devices do; the service API calls it for what a back end does.
 */
public final class Hub {

    private static final int TELEMETRY_CAPACITY = 100_000;

    /** How many bytes of telemetry a hub keeps unless told otherwise. */
    public static final long DEFAULT_TELEMETRY_CAPACITY_BYTES = 64L * 1024 * 1024;

    private final ConcurrentMap<String, DeviceState> devices = new ConcurrentHashMap<>();

    private final TelemetryLog telemetry;

    private final MethodBroker methods;

    private final Clock clock;

    private final SecureRandom random = new SecureRandom();

    private final SubscriptionFaults subscriptionFaults = new SubscriptionFaults();

    /**
     * Creates an empty hub that keeps {@value #DEFAULT_TELEMETRY_CAPACITY_BYTES} bytes of telemetry.
     *
     * @param scheduler where method timeouts run
     * @param clock the hub's clock (enqueued times)
     */
    public Hub(ScheduledExecutorService scheduler, Clock clock) {
        this(scheduler, clock, DEFAULT_TELEMETRY_CAPACITY_BYTES);
    }

    /**
     * Creates an empty hub.
     *
     * @param scheduler where method timeouts run
     * @param clock the hub's clock (enqueued times)
     * @param telemetryCapacityBytes how many bytes of telemetry are kept, oldest dropped first
     */
    public Hub(ScheduledExecutorService scheduler, Clock clock, long telemetryCapacityBytes) {
        this.methods = new MethodBroker(scheduler);
        this.clock = clock;
        this.telemetry = new TelemetryLog(TELEMETRY_CAPACITY, telemetryCapacityBytes);
    }

    // Registry

    /**
     * Registers a device or module identity.
     *
     * @param primaryKey the primary key (Base64), or {@code null} to generate one
     * @throws IotHubServiceException {@code 409001} if the identity exists, {@code 404001} for a module of an
     * unknown device, {@code 400004} for a bad id or key
     */
    public DeviceIdentity register(String deviceId, String moduleId, String primaryKey) {
        NamingRules.checkIdentityId("device", deviceId);
        if (moduleId != null) {
            NamingRules.checkIdentityId("module", moduleId);
        }
        if (primaryKey != null && !isBase64(primaryKey)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "The primary key must be Base64");
        }
        DeviceIdentity identity = new DeviceIdentity(deviceId, moduleId,
                (primaryKey != null) ? primaryKey : newKey(), newKey());
        if (moduleId == null) {
            putNew(identity);
            return identity;
        }
        DeviceState device = this.devices.get(deviceId);
        if (device == null) {
            throw moduleOfUnknownDevice(deviceId, moduleId);
        }
        synchronized (device) {
            if (this.devices.get(deviceId) != device) {
                throw moduleOfUnknownDevice(deviceId, moduleId);
            }
            putNew(identity);
            device.moduleIds().add(moduleId);
        }
        return identity;
    }

    private void putNew(DeviceIdentity identity) {
        if (this.devices.putIfAbsent(identity.id(), new DeviceState(identity)) != null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_ALREADY_EXISTS,
                    "Identity " + identity.id() + " already exists");
        }
    }

    private static IotHubServiceException moduleOfUnknownDevice(String deviceId, String moduleId) {
        return new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND,
                "Device " + deviceId + " must exist before its module " + moduleId);
    }

    /** The identity with this id ({@code deviceId} or {@code deviceId/moduleId}), if registered. */
    public Optional<DeviceIdentity> find(String id) {
        return Optional.ofNullable(this.devices.get(id)).map(DeviceState::identity);
    }

    /** All registered identities. */
    public List<DeviceIdentity> identities() {
        return this.devices.values().stream().map(DeviceState::identity).toList();
    }

    /**
     * Removes an identity, and a device's modules with it, closing their connections.
     *
     * @return the ids of the removed identities
     */
    public List<String> remove(String id) {
        DeviceState state = require(id);
        DeviceIdentity identity = state.identity();
        List<DeviceState> removed = new ArrayList<>();
        if (identity.moduleId() == null) {
            synchronized (state) {
                removeExactly(state);
                removed.add(state);
                for (String moduleId : state.moduleIds()) {
                    DeviceState module = this.devices.remove(MqttUsername.clientId(identity.deviceId(), moduleId));
                    if (module != null) {
                        removed.add(module);
                    }
                }
            }
        }
        else {
            removeExactly(state);
            removed.add(state);
            DeviceState device = this.devices.get(identity.deviceId());
            if (device != null) {
                synchronized (device) {
                    device.moduleIds().remove(identity.moduleId());
                }
            }
        }
        removed.forEach(Hub::closeRemoved);
        return removed.stream().map((gone) -> gone.identity().id()).toList();
    }

    private void removeExactly(DeviceState state) {
        String id = state.identity().id();
        if (!this.devices.remove(id, state)) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND, "Identity " + id + " not found");
        }
    }

    private static void closeRemoved(DeviceState state) {
        DeviceLink link;
        synchronized (state) {
            link = state.link();
            if (link != null) {
                state.detach(link);
            }
        }
        if (link != null) {
            link.close("identity deleted");
        }
    }

    // Connections

    /**
     * Registers the SHA-256 thumbprint of a self-signed X.509 certificate the identity may authenticate with.
     *
     * @param thumbprint the thumbprint as hexadecimal digits (case and colons ignored)
     */
    public void addThumbprint(String id, String thumbprint) {
        DeviceState state = require(id);
        synchronized (state) {
            state.thumbprints().add(normalizeThumbprint(thumbprint));
        }
    }

    /** Whether the identity may authenticate with a certificate of this SHA-256 thumbprint. */
    public boolean acceptsThumbprint(String id, String thumbprint) {
        DeviceState state = this.devices.get(id);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.thumbprints().contains(normalizeThumbprint(thumbprint));
        }
    }

    private static String normalizeThumbprint(String thumbprint) {
        return thumbprint.replace(":", "").toUpperCase(Locale.ROOT);
    }

    /**
     * Makes a link the identity's current connection, closing the previous one (one connection per identity).
     *
     * @param modelId the IoT Plug and Play model id announced at connect, or {@code null}
     * @param authType how the connection authenticated: {@code sas} or {@code x509}
     */
    public void attach(String id, DeviceLink link, String modelId, String authType) {
        DeviceState state = require(id);
        DeviceLink previous;
        synchronized (state) {
            previous = state.attach(link, modelId, authType);
        }
        if (previous != null) {
            previous.close("a new connection for the same identity arrived");
        }
    }

    /** Forgets a link that ended; only the current link's end clears the identity's connection. */
    public void detach(String id, DeviceLink link) {
        DeviceState state = this.devices.get(id);
        if (state != null) {
            synchronized (state) {
                state.detach(link);
            }
        }
    }

    /** Whether the identity has a live connection. */
    public boolean isConnected(String id) {
        DeviceState state = require(id);
        synchronized (state) {
            return state.link() != null;
        }
    }

    /** Closes the identity's connection, if any (fault injection). */
    public void disconnect(String id) {
        DeviceState state = require(id);
        DeviceLink link;
        synchronized (state) {
            link = state.link();
        }
        if (link != null) {
            link.close("disconnected through the service API");
        }
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
        DeviceState state = require(id);
        DeviceLink link;
        synchronized (state) {
            link = state.link();
        }
        if (link == null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_ONLINE, "Identity " + id
                    + " is not connected");
        }
        return link.publishRaw(topic, payload, qos);
    }

    /** Delivers the waiting cloud-to-device messages if the link is current and subscribed to them. */
    public void deliverCloudToDevice(String id, DeviceLink link) {
        DeviceState state = this.devices.get(id);
        if (state == null) {
            return;
        }
        List<QueuedMessage> deliverable;
        synchronized (state) {
            deliverable = state.takeDeliverable(link);
        }
        deliverable.forEach(link::deliver);
    }

    /** Completes a cloud-to-device message the device acknowledged. */
    public void cloudToDeviceAcknowledged(String id, QueuedMessage message) {
        DeviceState state = this.devices.get(id);
        if (state != null) {
            synchronized (state) {
                state.cloudToDevice().acknowledge(message);
            }
        }
    }

    // Telemetry

    /** Records telemetry from a connection, stamping the hub's system properties. */
    public void receiveTelemetry(DeviceIdentity identity, byte[] body, Map<String, String> bag, boolean retain) {
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> system = new LinkedHashMap<>();
        bag.forEach((key, value) -> {
            if (SystemProperties.isSystemProperty(key)) {
                system.put(SystemProperties.serviceName(key), value);
            }
            else {
                properties.put(key, value);
            }
        });
        if (retain) {
            properties.put("mqtt-retain", "true");
        }
        Instant now = this.clock.instant();
        system.put("iothub-connection-device-id", identity.deviceId());
        if (identity.moduleId() != null) {
            system.put("iothub-connection-module-id", identity.moduleId());
        }
        DeviceState state = this.devices.get(identity.id());
        String authType = (state != null && state.authType() != null) ? state.authType() : "sas";
        system.put("iothub-connection-auth-method",
                "{\"scope\":\"device\",\"type\":\"" + authType + "\",\"issuer\":\"iothub\"}");
        system.put("iothub-enqueuedtime", now.toString());
        String modelId = (state != null) ? state.modelId() : null;
        if (modelId != null) {
            system.put("dt-dataschema", modelId);
        }
        this.telemetry.add(new TelemetryMessage(identity.deviceId(), identity.moduleId(), body,
                Collections.unmodifiableMap(properties), Collections.unmodifiableMap(system), now));
    }

    /** The telemetry received from an identity ({@code null} for all), oldest first. */
    public List<TelemetryMessage> telemetry(String id) {
        return this.telemetry.find(fromIdentity(id));
    }

    /** Waits for telemetry from an identity that matches the filter (also one received earlier). */
    public Optional<TelemetryMessage> awaitTelemetry(String id, Predicate<TelemetryMessage> filter, Duration timeout)
            throws InterruptedException {
        return this.telemetry.await(fromIdentity(id).and(filter), timeout);
    }

    /** Waits for the next telemetry from an identity that matches the filter, received after this call. */
    public Optional<TelemetryMessage> awaitNextTelemetry(String id, Predicate<TelemetryMessage> filter,
            Duration timeout) throws InterruptedException {
        return this.telemetry.awaitNext(fromIdentity(id).and(filter), timeout);
    }

    /** Forgets all received telemetry. */
    public void clearTelemetry() {
        this.telemetry.clear();
    }

    // Twins

    /** The twin as the service sees it. */
    public Twin twin(String id) {
        DeviceState state = require(id);
        synchronized (state) {
            DeviceTwin twin = state.twin();
            return new Twin(twin.desired(), twin.desiredVersion(), twin.reported(), twin.reportedVersion());
        }
    }

    /** The twin document a device receives for a GET. */
    public byte[] twinForDevice(String id) {
        DeviceState state = require(id);
        synchronized (state) {
            return Json.MAPPER.writeValueAsBytes(state.twin().deviceView());
        }
    }

    /**
     * Merges a desired patch and notifies the device if it is connected and subscribed (notifications are not queued).
     *
     * @return the new desired version
     * @throws IotHubServiceException {@code 400004} for a property name starting with {@code $}, or a patch that
     * would take the desired properties over 32 KB or 10 levels of nesting
     */
    public long patchDesired(String id, Map<String, ?> patch) {
        ObjectNode patchNode;
        try {
            patchNode = Json.MAPPER.valueToTree(patch);
        }
        catch (JacksonException ex) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "The desired patch cannot be written as JSON: " + ex.getOriginalMessage());
        }
        if (hasDollarKey(patchNode)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "Desired property names must not start with '$'");
        }
        DeviceState state = require(id);
        DeviceLink link;
        ObjectNode notification;
        synchronized (state) {
            try {
                notification = state.twin().patchDesired(patchNode);
            }
            catch (IllegalArgumentException overLimit) {
                throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, overLimit.getMessage());
            }
            link = state.link();
        }
        if (link != null && link.isSubscribed(SubscriptionFilter.DESIRED_PROPERTIES)) {
            link.publish(Topics.desiredPatch(notification.get("$version").asLong()),
                    Json.MAPPER.writeValueAsBytes(notification));
        }
        return notification.get("$version").asLong();
    }

    /**
     * Applies a reported patch from a device.
     *
     * @return the status and, on success, the new reported version; 400 also for a patch that would take the
     * reported properties over 32 KB or 10 levels of nesting
     */
    public ReportedPatchResult patchReported(String id, byte[] body, Long expectedVersion) {
        JsonNode patch = Json.parseOrNull(new String(body, StandardCharsets.UTF_8));
        if (patch == null || !patch.isObject() || hasDollarKey(patch)) {
            return new ReportedPatchResult(400, null);
        }
        DeviceState state = require(id);
        synchronized (state) {
            if (expectedVersion != null && expectedVersion != state.twin().reportedVersion()) {
                return new ReportedPatchResult(412, null);
            }
            try {
                return new ReportedPatchResult(204, state.twin().patchReported((ObjectNode) patch));
            }
            catch (IllegalArgumentException overLimit) {
                return new ReportedPatchResult(400, null);
            }
        }
    }

    /**
     * The outcome of a reported patch.
     *
     * @param status 204, 400 or 412
     * @param version the new reported version on success
     */
    public record ReportedPatchResult(int status, Long version) {
    }

    // Direct methods

    /** Invokes a direct method; fails with {@code 404103} or {@code 504101}. */
    public CompletableFuture<MethodResult> invokeMethod(String id, String methodName, String payload,
            Duration responseTimeout) {
        DeviceState state = require(id);
        DeviceLink link;
        synchronized (state) {
            link = state.link();
        }
        return this.methods.invoke(id, link, methodName, payload, responseTimeout);
    }

    /** Routes a device's method response. */
    public void methodResponse(String id, String requestId, int status, byte[] body) {
        this.methods.respond(id, requestId, status, body);
    }

    // Cloud-to-device

    /** Queues a cloud-to-device message and delivers it at once if the device is connected and subscribed. */
    public void sendCloudToDevice(String id, QueuedMessage message) {
        DeviceState state = require(id);
        DeviceLink link;
        synchronized (state) {
            state.cloudToDevice().add(message);
            link = state.link();
        }
        if (link != null) {
            deliverCloudToDevice(id, link);
        }
    }

    /** The number of cloud-to-device messages waiting or in flight. */
    public int pendingCloudToDevice(String id) {
        DeviceState state = require(id);
        synchronized (state) {
            return state.cloudToDevice().size();
        }
    }

    /** Drops all cloud-to-device messages of an identity. */
    public void purgeCloudToDevice(String id) {
        DeviceState state = require(id);
        synchronized (state) {
            state.cloudToDevice().purge();
        }
    }

    private DeviceState require(String id) {
        DeviceState state = this.devices.get(id);
        if (state == null) {
            throw new IotHubServiceException(IotHubServiceException.DEVICE_NOT_FOUND, "Identity " + id + " not found");
        }
        return state;
    }

    private String newKey() {
        byte[] key = new byte[32];
        this.random.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static boolean isBase64(String key) {
        try {
            return Base64.getDecoder().decode(key).length > 0;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static boolean hasDollarKey(JsonNode patch) {
        for (Map.Entry<String, JsonNode> member : patch.properties()) {
            if (member.getKey().startsWith("$") || (member.getValue().isObject() && hasDollarKey(member.getValue()))) {
                return true;
            }
        }
        return false;
    }

    private static Predicate<TelemetryMessage> fromIdentity(String id) {
        if (id == null) {
            return (message) -> true;
        }
        return (message) -> id.equals(MqttUsername.clientId(message.deviceId(), message.moduleId()));
    }
}
