package dev.iothub.spring.telemetry;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.SystemProperties;
import dev.iothub.protocol.Topics;
import dev.iothub.spring.connection.IotHubBackPressureException;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.messaging.IotHubPayloadWriter;
import dev.iothub.spring.observation.DefaultIotHubTelemetryObservationConvention;
import dev.iothub.spring.observation.IotHubObservation;
import dev.iothub.spring.observation.IotHubTelemetryObservationConvention;
import dev.iothub.spring.observation.IotHubTelemetryOutcome;
import dev.iothub.spring.observation.IotHubTelemetrySenderContext;

/**
 * Sends device-to-cloud telemetry over the shared connection.
 * <p>
 * Sending never blocks on the network: each call returns a {@link CompletableFuture} completed when the hub
 * acknowledged the message (PUBACK). Messages are pipelined up to {@code iothub.publish.max-in-flight}, wait while
 * the connection is down, and survive reconnects and SAS renewals. When {@code iothub.publish.max-pending} messages
 * are outstanding a send waits up to {@code iothub.publish.send-timeout}, then fails with
 * {@link IotHubBackPressureException}. Each message without a message id gets a random one (21 URL-safe Base64
 * characters, 126 random bits), so that a message sent twice (after a lost acknowledgement, or again from the disk
 * buffer after a restart) can be recognised.
 * <p>
 * With {@code iothub.buffer.type=disk} a send returns once the message is stored in the disk buffer; the future
 * still completes at the hub's acknowledgement, and what the buffer holds at a restart is sent again.
 *
 * <pre class="code">
 * telemetryTemplate.send(new Reading(21.5));
 * telemetryTemplate.send(TelemetryMessage.builder("{\"t\":21.5}").property("alert", "true").build())
 *         .thenRun(() -&gt; log.info("accepted by the hub"));
 * </pre>
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubTelemetryTemplate {

    /** The length of a generated message id. */
    static final int MESSAGE_ID_LENGTH = 21;

    private static final byte[] MESSAGE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        .getBytes(StandardCharsets.ISO_8859_1);

    private final IotHubClientManager clientManager;

    private final IotHubPayloadWriter payloadWriter;

    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

    private @Nullable IotHubTelemetryObservationConvention observationConvention;

    private boolean propagateTraceContext;

    /**
     * Creates a template.
     *
     * @param clientManager the connection
     * @param jsonMapper writes payloads that are neither bytes nor text
     */
    public IotHubTelemetryTemplate(IotHubClientManager clientManager, JsonMapper jsonMapper) {
        this.clientManager = clientManager;
        this.payloadWriter = new IotHubPayloadWriter(jsonMapper);
    }

    /**
     * Sends a payload: bytes as is, a String as UTF-8, anything else as JSON.
     *
     * @return a future completed when the hub acknowledged the message
     */
    public CompletableFuture<Void> send(Object payload) {
        return send((payload instanceof TelemetryMessage message) ? message : TelemetryMessage.of(payload));
    }

    /**
     * Sends a message with its properties.
     *
     * @return a future completed when the hub acknowledged the message
     */
    public CompletableFuture<Void> send(TelemetryMessage message) {
        IotHubPayloadWriter.Body body;
        try {
            body = this.payloadWriter.write(message.getPayload());
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(new IotHubException("Could not write the telemetry as JSON", ex));
        }
        String contentType = (message.getContentType() != null) ? message.getContentType() : body.contentType();
        String contentEncoding = (message.getContentEncoding() != null) ? message.getContentEncoding()
                : body.contentEncoding();
        String messageId = message.getMessageId();
        if (messageId == null || messageId.isEmpty()) {
            messageId = randomMessageId();
        }
        // Most messages have no property but their id: then no map is made, unless an observation may add a
        // trace context to the bag.
        @Nullable Map<String, String> bag = this.observationRegistry.isNoop() ? null : new LinkedHashMap<>();
        bag = put(bag, SystemProperties.CORRELATION_ID, message.getCorrelationId());
        bag = put(bag, SystemProperties.CONTENT_TYPE, contentType);
        bag = put(bag, SystemProperties.CONTENT_ENCODING, contentEncoding);
        if (message.getCreationTime() != null) {
            bag = put(bag, SystemProperties.CREATION_TIME,
                    DateTimeFormatter.ISO_INSTANT.format(message.getCreationTime()));
        }
        bag = put(bag, SystemProperties.COMPONENT, message.getComponent());
        if (!message.getProperties().isEmpty()) {
            bag = (bag != null) ? bag : new LinkedHashMap<>();
            bag.putAll(message.getProperties());
        }
        return observed(messageId, (bag != null) ? bag : Map.of(), body.bytes());
    }

    /** Sets the registry that observes each send ({@code iothub.telemetry.send}); none by default. */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observationRegistry = observationRegistry;
    }

    /** Replaces the {@link DefaultIotHubTelemetryObservationConvention}. */
    public void setObservationConvention(@Nullable IotHubTelemetryObservationConvention observationConvention) {
        this.observationConvention = observationConvention;
    }

    /**
     * Sets whether the current trace context is written into each message's application properties (W3C
     * {@code traceparent}); off by default.
     */
    public void setPropagateTraceContext(boolean propagateTraceContext) {
        this.propagateTraceContext = propagateTraceContext;
    }

    private CompletableFuture<Void> observed(String messageId, Map<String, String> bag, byte[] body) {
        ConnectionString identity = this.clientManager.getIdentity();
        Observation observation = IotHubObservation.TELEMETRY_SEND.observation(this.observationConvention,
                DefaultIotHubTelemetryObservationConvention.INSTANCE,
                () -> new IotHubTelemetrySenderContext(bag, this.propagateTraceContext, identity.hostName(),
                        identity.deviceId(), identity.moduleId()),
                this.observationRegistry);
        observation.start();
        String topic = Topics.telemetry(identity.deviceId(), identity.moduleId(), messageId, bag);
        CompletableFuture<Void> sent;
        try {
            sent = this.clientManager.publish(topic, body, 1);
        }
        catch (RuntimeException ex) {
            sent = CompletableFuture.failedFuture(ex);
        }
        if (observation.isNoop()) {
            return sent;
        }
        boolean refused = sent.isCompletedExceptionally();
        return sent.whenComplete((ok, failure) -> {
            if (observation.getContext() instanceof IotHubTelemetrySenderContext context) {
                context.setOutcome((failure == null) ? IotHubTelemetryOutcome.ACKNOWLEDGED
                        : refused ? IotHubTelemetryOutcome.REJECTED : IotHubTelemetryOutcome.FAILED);
            }
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        });
    }

    /**
     * 126 random bits as 21 URL-safe Base64 characters ({@code A-Z a-z 0-9 - _}): as unique as a version 4 UUID's
     * 122 bits in 15 fewer characters, which every message carries in its topic through Paho, TLS and the hub. They
     * only have to tell this device's messages apart, so they come from {@link ThreadLocalRandom}, not from a
     * {@code SecureRandom}, which takes a lock and costs more than the rest of a send. Written by hand rather than
     * with {@code Base64.getUrlEncoder()}, which needs whole bytes: 16 of them would make 22 characters.
     */
    static String randomMessageId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long first = random.nextLong();
        long second = random.nextLong();
        byte[] id = new byte[MESSAGE_ID_LENGTH];
        for (int i = 0; i < 10; i++) {
            id[i] = MESSAGE_ID_ALPHABET[(int) (first >>> (6 * i)) & 63];
            id[10 + i] = MESSAGE_ID_ALPHABET[(int) (second >>> (6 * i)) & 63];
        }
        id[20] = MESSAGE_ID_ALPHABET[(int) ((first >>> 60) | ((second >>> 60) & 3) << 4)];
        return new String(id, StandardCharsets.ISO_8859_1);
    }

    /** Adds a property that has a value, making the bag on the first one. */
    private static @Nullable Map<String, String> put(@Nullable Map<String, String> bag, String key,
            @Nullable String value) {
        if (value == null || value.isEmpty()) {
            return bag;
        }
        Map<String, String> made = (bag != null) ? bag : new LinkedHashMap<>();
        made.put(key, value);
        return made;
    }

}
