package dev.iothub.spring.twin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationListener;

import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.Topics;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.inbound.TwinResponseListener;
import dev.iothub.spring.messaging.IotHubPayloadWriter;
import dev.iothub.spring.observation.DefaultIotHubTwinObservationConvention;
import dev.iothub.spring.observation.IotHubObservation;
import dev.iothub.spring.observation.IotHubTwinObservationConvention;
import dev.iothub.spring.observation.IotHubTwinRequestContext;

/**
 * Reads the device twin and patches its reported properties over the shared connection.
 * <p>
 * Every operation is non-blocking and returns a {@link CompletableFuture} that completes on a thread of the
 * connection (never Paho's), fails with {@link TwinOperationException} when the hub answers with an error status,
 * or with an {@link IotHubException} after {@code iothub.operation-timeout}.
 * <p>
 * A request survives a dropped connection: one the hub had not answered is sent again, with the same
 * {@code $rid}, once the connection is back (a GET is idempotent, and a patch sent again carries the same values),
 * and its future completes with that answer; the operation timeout still counts from the first send. The exception
 * is a conditional patch the hub had already acknowledged: it may have been applied, so sending it again could only
 * fail with 412; its future fails at once with an {@link IotHubException} that says so.
 *
 * <pre class="code">
 * DeviceTwin twin = twinTemplate.getTwin().join();
 * long version = twinTemplate.updateReportedProperties(Map.of("firmware", "1.2.0")).join();
 * </pre>
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubTwinTemplate
        implements TwinResponseListener, ApplicationListener<IotHubDisconnectedEvent>, DisposableBean {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private static final byte[] EMPTY = new byte[0];

    private static final String TWIN_GET_PREFIX = "$iothub/twin/GET/";

    private final IotHubClientManager clientManager;

    private final JsonMapper jsonMapper;

    private final IotHubPayloadWriter payloadWriter;

    private final Duration timeout;

    private final Map<String, Request> pending = new ConcurrentHashMap<>();

    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

    private @Nullable IotHubTwinObservationConvention observationConvention;

    /**
     * Creates a twin template; register it as the router's {@linkplain IotHubInboundRouter#setTwinResponseListener
     * twin response listener} to receive the answers (the auto-configuration does).
     *
     * @param clientManager the connection
     * @param jsonMapper the mapper for twin documents and patches
     * @since 0.1.0
     */
    public IotHubTwinTemplate(IotHubClientManager clientManager, JsonMapper jsonMapper) {
        this.clientManager = clientManager;
        this.jsonMapper = jsonMapper;
        this.payloadWriter = new IotHubPayloadWriter(jsonMapper);
        this.timeout = clientManager.getSettings().operationTimeout();
    }

    /**
     * Creates a twin template.
     *
     * @param clientManager the connection
     * @param router unused
     * @param jsonMapper the mapper for twin documents and patches
     * @deprecated since 0.1.0 in favour of {@link #IotHubTwinTemplate(IotHubClientManager, JsonMapper)}; this
     * constructor no longer registers the template with the router
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public IotHubTwinTemplate(IotHubClientManager clientManager, IotHubInboundRouter router, JsonMapper jsonMapper) {
        this(clientManager, jsonMapper);
    }

    /** Reads the twin: desired and reported properties with their versions. */
    public CompletableFuture<DeviceTwin> getTwin() {
        String requestId = UUID.randomUUID().toString();
        return request(requestId, Topics.twinGet(requestId), EMPTY, false).thenApply(this::toTwin);
    }

    /**
     * Patches reported properties: each member adds or replaces a property, {@code null} deletes it, nested objects
     * merge.
     *
     * @param patch a {@code Map} or any object Jackson can write as a JSON object
     * @return the new reported {@code $version}
     */
    public CompletableFuture<Long> updateReportedProperties(Object patch) {
        return updateReported(patch, null);
    }

    /**
     * Patches reported properties only if they are still at the expected version (else 412).
     *
     * @param patch a {@code Map} or any object Jackson can write as a JSON object
     * @param expectedVersion the reported {@code $version} the patch applies to
     * @return the new reported {@code $version}
     */
    public CompletableFuture<Long> updateReportedProperties(Object patch, long expectedVersion) {
        return updateReported(patch, expectedVersion);
    }

    private CompletableFuture<Long> updateReported(Object patch, @Nullable Long expectedVersion) {
        byte[] body;
        try {
            body = this.payloadWriter.write(patch).bytes();
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(new IotHubException("Could not write the patch as JSON", ex));
        }
        String requestId = UUID.randomUUID().toString();
        return request(requestId, Topics.reportedPatch(requestId, expectedVersion), body, expectedVersion != null)
            .thenApply((response) -> {
                Long version = response.topic.version();
                if (version == null) {
                    throw new IotHubException("The hub accepted the patch but sent no $version");
                }
                return version;
            });
    }

    /**
     * Reads the twin for the reconnection flow. Unlike {@link #getTwin()} the future completes on the thread that
     * received the answer (Paho's), so that what the flow does with the twin is ordered before the desired-property
     * notifications the hub sent after it. Dependent actions must not block.
     */
    CompletableFuture<DeviceTwin> getTwinInArrivalOrder() {
        String requestId = UUID.randomUUID().toString();
        return send(requestId, Topics.twinGet(requestId), EMPTY, false)
            .thenApply((response) -> toTwin(checkStatus(response)));
    }

    private CompletableFuture<Response> request(String requestId, String topic, byte[] body, boolean conditional) {
        return send(requestId, topic, body, conditional).thenApplyAsync(this::checkStatus,
                this.clientManager.getCallbackExecutor());
    }

    private CompletableFuture<Response> send(String requestId, String topic, byte[] body, boolean conditional) {
        Observation observation = IotHubObservation.TWIN_REQUEST
            .observation(this.observationConvention, DefaultIotHubTwinObservationConvention.INSTANCE,
                    () -> new IotHubTwinRequestContext(topic.startsWith(TWIN_GET_PREFIX) ? "get" : "patch",
                            this.clientManager.getIdentity().deviceId(),
                            this.clientManager.getIdentity().moduleId()),
                    this.observationRegistry)
            .start();
        Request request = new Request(topic, body, conditional);
        this.pending.put(requestId, request);
        if (!this.clientManager.schedule(() -> timeout(requestId), this.timeout)) {
            this.pending.remove(requestId);
            request.response.completeExceptionally(new IotHubException("The IoT Hub connection is not running"));
        }
        else {
            publish(requestId, request);
        }
        return request.response.whenComplete((response, failure) -> {
            if (observation.getContext() instanceof IotHubTwinRequestContext context) {
                context.setStatus((response != null) ? String.valueOf(response.topic.status())
                        : (failure instanceof IotHubException && failure.getCause() instanceof TimeoutException)
                                ? "timeout" : "error");
            }
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        });
    }

    /** Sets the registry that observes each twin request ({@code iothub.twin}); none by default. */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observationRegistry = observationRegistry;
    }

    /** Replaces the {@link DefaultIotHubTwinObservationConvention}. */
    public void setObservationConvention(@Nullable IotHubTwinObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    /** Publishes a request; the connection's queue sends it again itself if the drop comes before the PUBACK. */
    private void publish(String requestId, Request request) {
        this.clientManager.publish(request.topic, request.body, 1).whenComplete((sent, ex) -> {
            if (ex != null) {
                fail(requestId, ex);
            }
            else {
                request.acknowledged = true;
            }
        });
    }

    /**
     * The connection dropped: the answers to requests the hub acknowledged are lost with it, so those are sent
     * again (queued until the connection is back), except conditional patches, which fail.
     */
    @Override
    public void onApplicationEvent(IotHubDisconnectedEvent event) {
        if (event.getSource() != this.clientManager) {
            return;
        }
        this.pending.forEach((requestId, request) -> {
            if (!request.acknowledged) {
                return;
            }
            if (request.conditional) {
                fail(requestId, new IotHubException("The connection to IoT Hub was lost after the hub received the "
                        + "conditional reported-properties patch and before it answered; the patch may have been "
                        + "applied (sent again it could only fail with 412): read the twin to find out"));
                return;
            }
            request.acknowledged = false;
            request.resent = true;
            publish(requestId, request);
        });
    }

    private Response checkStatus(Response response) {
        int status = response.topic.status();
        if (status < 200 || status >= 300) {
            String body = new String(response.payload, StandardCharsets.UTF_8);
            throw new TwinOperationException(status, "IoT Hub answered the twin request with status " + status
                    + (body.isBlank() ? "" : ": " + body));
        }
        return response;
    }

    private DeviceTwin toTwin(Response response) {
        Map<String, Object> document;
        try {
            document = this.jsonMapper.readValue(response.payload, MAP);
        }
        catch (RuntimeException ex) {
            throw new IotHubException("The twin IoT Hub sent is not a JSON object", ex);
        }
        if (document == null) {
            throw new IotHubException("The twin IoT Hub sent is not a JSON object");
        }
        Section desired = section(document, "desired");
        Section reported = section(document, "reported");
        return new DeviceTwin(desired.properties, desired.version, reported.properties, reported.version);
    }

    @SuppressWarnings("unchecked")
    private static Section section(Map<String, Object> document, String name) {
        if (!(document.get(name) instanceof Map<?, ?> map)) {
            throw new IotHubException("The twin IoT Hub sent has no " + name + " properties");
        }
        Map<String, Object> properties = new LinkedHashMap<>((Map<String, Object>) map);
        Object version = properties.remove("$version");
        properties.remove("$metadata");
        if (!(version instanceof Integer || version instanceof Long) || ((Number) version).longValue() < 0) {
            throw new IotHubException("The twin IoT Hub sent has no numeric " + name + " $version");
        }
        return new Section(properties, ((Number) version).longValue());
    }

    /** Writes the desired section of a twin as JSON, for the reconnection flow. */
    byte[] desiredAsJson(DeviceTwin twin) {
        return this.jsonMapper.writeValueAsBytes(twin.desired());
    }

    /**
     * Completes the request a twin response answers; called by the router on Paho's thread.
     *
     * @return whether a request was waiting for the response
     */
    @Override
    public boolean twinResponse(HubTopic.TwinResponse topic, byte[] payload) {
        Request request = this.pending.remove(topic.requestId());
        if (request == null) {
            return false;
        }
        request.response.complete(new Response(topic, payload));
        return true;
    }

    private void timeout(String requestId) {
        Request request = this.pending.get(requestId);
        if (request == null) {
            return;
        }
        String message = "IoT Hub did not answer the twin request within "
                + this.timeout.toString().substring(2).toLowerCase(Locale.ROOT) + " (iothub.operation-timeout)";
        if (!this.clientManager.isConnected()) {
            String lastError = this.clientManager.getStatus().lastError();
            message += "; the connection to IoT Hub is down" + ((lastError != null) ? " (" + lastError + ")" : "");
        }
        else if (request.resent) {
            message += ", although it was sent again after the connection dropped";
        }
        fail(requestId, new IotHubException(message, new TimeoutException()));
    }

    private void fail(String requestId, Throwable ex) {
        Request request = this.pending.remove(requestId);
        if (request != null) {
            request.response.completeExceptionally(ex);
        }
    }

    @Override
    public void destroy() {
        this.pending.keySet().forEach((requestId) -> fail(requestId,
                new IotHubException("The application stopped before IoT Hub answered the twin request")));
    }

    private record Response(HubTopic.TwinResponse topic, byte[] payload) {
    }

    /** A request waiting for its answer; the flags are set by the callback thread and the connection thread. */
    private static final class Request {

        final String topic;

        final byte[] body;

        final boolean conditional;

        final CompletableFuture<Response> response = new CompletableFuture<>();

        volatile boolean acknowledged;

        volatile boolean resent;

        Request(String topic, byte[] body, boolean conditional) {
            this.topic = topic;
            this.body = body;
            this.conditional = conditional;
        }

    }

    private record Section(Map<String, Object> properties, long version) {
    }

}
