package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.util.StringUtils;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.HubTopic;
import dev.iothub.spring.connection.InboundMessageListener;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.observation.DefaultIotHubHandlerObservationConvention;
import dev.iothub.spring.observation.IotHubHandlerObservationConvention;

/**
 * Routes every message the hub sends to the device by its topic: cloud-to-device messages, direct-method requests
 * and desired-property changes to their dispatchers, where the handlers registered here run, and twin responses to
 * the twin API. Register it with {@link IotHubClientManager#setInboundMessageListener} (the auto-configuration
 * does).
 * <p>
 * Handlers never run on Paho's thread but on the {@link IotHubInboundExecutors}: cloud-to-device messages one at a
 * time in arrival order, desired-property updates one at a time in {@code $version} order, and direct methods
 * concurrently on a small pool, so a slow handler stalls neither the connection nor other kinds of work. A direct
 * method always gets an answer: the handler's, 501 when no handler is registered for its name, 500 when the handler
 * throws, 503 when the method pool's queue is full, 400 when its topic is misshapen. Desired-property notifications
 * whose {@code $version} is not newer than the last one delivered are dropped, which is what the twin reconnection
 * flow needs. Cloud-to-device messages that arrive before any handler is registered are kept (unacknowledged) for
 * the first handler until the application is ready ({@link ApplicationReadyEvent}); from then on a message without a
 * handler is completed at once.
 * <p>
 * Nothing the hub sends can break the connection: a topic that is not for this identity, misshapen or undecodable
 * is acknowledged (a QoS 1 message would otherwise come back after every reconnect) and dropped, and each kind of
 * problem is logged at WARN at most once a minute, with a count of the repeats.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubInboundRouter
        implements InboundMessageListener, ApplicationListener<ApplicationReadyEvent>, DisposableBean {

    private static final Log logger = LogFactory.getLog(IotHubInboundRouter.class);

    private static final int LOGGED_TOPIC_LENGTH = 200;

    private static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private final Supplier<ConnectionString> identity;

    private final @Nullable IotHubInboundExecutors ownExecutors;

    private final RateLimitedWarnings warnings;

    private final CloudToDeviceDispatcher cloudToDevice;

    private final DirectMethodDispatcher directMethods;

    private final DesiredPropertiesDispatcher desiredProperties;

    private final ObservedHandlers observed;

    private volatile @Nullable TwinResponseListener twinResponseListener;

    /**
     * Creates a router whose handlers run on the given executors.
     *
     * @param clientManager the connection, which sends direct-method answers
     * @param executors the handler threads, started and stopped with the application context
     * @since 0.1.0
     */
    public IotHubInboundRouter(IotHubClientManager clientManager, IotHubInboundExecutors executors) {
        this(clientManager, executors, false);
    }

    /**
     * Creates a router with 4 direct-method threads and queues of 100, running until {@link #destroy()}.
     *
     * @param clientManager the connection
     * @deprecated since 0.1.0 in favour of {@link #IotHubInboundRouter(IotHubClientManager, IotHubInboundExecutors)}
     * with executors the application context starts and stops; this router no longer registers itself with the
     * connection
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public IotHubInboundRouter(IotHubClientManager clientManager) {
        this(clientManager, 4, 100);
    }

    /**
     * Creates a router with executors of its own, running until {@link #destroy()}.
     *
     * @param clientManager the connection
     * @param methodThreads how many direct methods may run at once
     * @param queueCapacity how much work of each kind may wait for a thread
     * @deprecated since 0.1.0 in favour of {@link #IotHubInboundRouter(IotHubClientManager, IotHubInboundExecutors)}
     * with executors the application context starts and stops; this router no longer registers itself with the
     * connection
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public IotHubInboundRouter(IotHubClientManager clientManager, int methodThreads, int queueCapacity) {
        this(clientManager, startedExecutors(clientManager, methodThreads, queueCapacity), true);
    }

    private IotHubInboundRouter(IotHubClientManager clientManager, IotHubInboundExecutors executors,
            boolean ownsExecutors) {
        this.identity = clientManager::getIdentity;
        this.observed = new ObservedHandlers(this.identity);
        this.ownExecutors = ownsExecutors ? executors : null;
        this.warnings = new RateLimitedWarnings(logger, WARNING_INTERVAL, System::nanoTime, clientManager::schedule);
        this.cloudToDevice = new CloudToDeviceDispatcher(executors.cloudToDevice(), this.warnings);
        this.directMethods = new DirectMethodDispatcher(clientManager, executors.directMethods(), this.warnings);
        this.desiredProperties = new DesiredPropertiesDispatcher(executors.desiredProperties(), this.warnings);
    }

    private static IotHubInboundExecutors startedExecutors(IotHubClientManager clientManager, int methodThreads,
            int queueCapacity) {
        IotHubInboundExecutors executors = new IotHubInboundExecutors(clientManager.getClientId(), methodThreads,
                queueCapacity);
        executors.start();
        return executors;
    }

    /**
     * Registers a handler for cloud-to-device messages; every registered handler gets every message.
     *
     * @return a registration that removes the handler
     */
    public Registration addCloudToDeviceHandler(CloudToDeviceMessageHandler handler) {
        return this.cloudToDevice.add(this.observed.cloudToDevice(handler));
    }

    /**
     * Registers the handler of a direct method.
     *
     * @param methodName the method name, exactly as invoked
     * @return a registration that removes the handler
     * @throws IllegalStateException if the method already has a handler
     */
    public Registration addDirectMethodHandler(String methodName, DirectMethodHandler handler) {
        return this.directMethods.add(methodName, this.observed.directMethod(methodName, handler));
    }

    /**
     * Registers a handler for desired-property updates.
     *
     * @return a registration that removes the handler
     */
    public Registration addDesiredPropertiesHandler(DesiredPropertiesHandler handler) {
        return this.desiredProperties.add(this.observed.desiredProperties(handler));
    }

    /** Sets the registry that observes each handler invocation ({@code iothub.handler}); none by default. */
    public void setObservationRegistry(ObservationRegistry observationRegistry) {
        this.observed.setRegistry(observationRegistry);
    }

    /** Replaces the {@link DefaultIotHubHandlerObservationConvention}. */
    public void setObservationConvention(@Nullable IotHubHandlerObservationConvention observationConvention) {
        this.observed.setConvention(observationConvention);
    }

    /** Whether any desired-property handler is registered. */
    public boolean hasDesiredPropertiesHandlers() {
        return this.desiredProperties.hasHandlers();
    }

    /** Sets the receiver of twin responses (the twin API). */
    public void setTwinResponseListener(TwinResponseListener listener) {
        this.twinResponseListener = listener;
    }

    /**
     * Delivers desired properties to the handlers, after those already queued. A notification is delivered only when
     * its version is newer than the last one delivered; a whole document ({@link DesiredPropertiesUpdate#complete()},
     * as read by the twin reconnection flow) also when its version is lower, because the hub restarts versions when
     * a device is re-created. Updates that are not JSON objects are rejected with a warning.
     */
    public void dispatchDesiredProperties(DesiredPropertiesUpdate update) {
        this.desiredProperties.dispatch(update);
    }

    /**
     * The {@code $version} of the last desired-property update delivered, or empty before the first.
     *
     * @deprecated since 0.1.0 for removal: nothing in the starter needs it, and the version a listener sees is in
     * {@link DesiredPropertiesUpdate#version()}
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public Optional<Long> lastDesiredVersion() {
        return this.desiredProperties.lastVersion();
    }

    /** From now on, cloud-to-device messages without a handler are completed instead of kept. */
    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        this.cloudToDevice.applicationReady();
    }

    /**
     * Routes a message; called on Paho's thread. Never throws and never blocks: a message that cannot be routed is
     * acknowledged, dropped and logged.
     */
    @Override
    public void messageArrived(String topic, byte[] payload, Runnable acknowledgement) {
        Runnable acknowledgeOnce = once(acknowledgement);
        try {
            route(topic, payload, acknowledgeOnce);
        }
        catch (RuntimeException ex) {
            acknowledgeOnce.run();
            this.warnings.warn("Dropped a message from IoT Hub that could not be routed",
                    " (topic " + shorten(topic) + "): " + ex);
        }
    }

    private void route(String topic, byte[] payload, Runnable acknowledgement) {
        ConnectionString identity = this.identity.get();
        HubTopic parsed = HubTopic.parse(topic, identity.deviceId(), identity.moduleId());
        if (parsed instanceof HubTopic.CloudToDevice cloudToDevice) {
            this.cloudToDevice.dispatch(new CloudToDeviceMessage(topic, payload, cloudToDevice.properties()),
                    acknowledgement);
            return;
        }
        acknowledgement.run();
        if (parsed instanceof HubTopic.MethodRequest request) {
            this.directMethods.dispatch(new DirectMethodRequest(request.methodName(), request.requestId(), payload));
        }
        else if (parsed instanceof HubTopic.DesiredPatch patch) {
            this.desiredProperties.dispatch(new DesiredPropertiesUpdate(patch.version(), payload, false));
        }
        else if (parsed instanceof HubTopic.TwinResponse response) {
            TwinResponseListener listener = this.twinResponseListener;
            if (listener == null || !listener.twinResponse(response, payload)) {
                this.warnings.warn("Dropped a twin response from IoT Hub: no request waits for its $rid "
                        + "(it may have timed out)", " (topic " + shorten(topic) + ")");
            }
        }
        else if (parsed instanceof HubTopic.Invalid invalid) {
            rejected(topic, invalid);
        }
    }

    private void rejected(String topic, HubTopic.Invalid invalid) {
        String details = " (topic " + shorten(topic) + ")";
        String requestId = invalid.requestId();
        if (invalid.kind() == HubTopic.Kind.METHOD_REQUEST && requestId != null) {
            this.warnings.warn("Answered 400 to a direct-method request from IoT Hub: " + invalid.reason(), details);
            this.directMethods.answer(null, requestId, DirectMethodResponse.error(400, "BadRequest",
                    "The device cannot use the request's topic: " + invalid.reason()));
            return;
        }
        this.warnings.warn("Dropped a " + describe(invalid.kind()) + " from IoT Hub: " + invalid.reason(), details);
    }

    private static String describe(HubTopic.Kind kind) {
        return switch (kind) {
            case CLOUD_TO_DEVICE -> "cloud-to-device message";
            case TWIN_RESPONSE -> "twin response";
            case DESIRED_PATCH -> "desired-properties notification";
            case METHOD_REQUEST -> "direct-method request";
            case UNKNOWN -> "message";
        };
    }

    private static String shorten(String topic) {
        return StringUtils.truncate(topic, LOGGED_TOPIC_LENGTH);
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    /**
     * Logs the warning summaries still held back, and stops the executors this router created itself (a router
     * given its {@link IotHubInboundExecutors} leaves them to the application context).
     */
    @Override
    public void destroy() {
        IotHubInboundExecutors executors = this.ownExecutors;
        if (executors != null) {
            executors.stop();
        }
        this.warnings.flush();
    }

    /**
     * A handler registration.
     */
    @FunctionalInterface
    public interface Registration {

        /** Removes the handler. */
        void remove();

    }

}
