package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.util.StringUtils;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.HubTopic;
import dev.iothub.spring.connection.InboundMessageListener;
import dev.iothub.spring.connection.IotHubClientManager;

/**
 * Routes every message the hub sends to the device by its topic: cloud-to-device messages, direct-method requests
 * and desired-property changes go to the handlers registered here, twin responses to the twin API.
 * <p>
 * Handlers never run on Paho's thread but on bounded, named executors: cloud-to-device messages one at a time in
 * arrival order ({@code iothub-{clientId}-c2d-N}), desired-property updates one at a time in {@code $version} order
 * ({@code iothub-{clientId}-desired-N}), and direct methods concurrently on a small pool
 * ({@code iothub-{clientId}-method-N}), so a slow handler stalls neither the connection nor other kinds of work.
 * A direct method always gets an answer: the handler's, 501 when no handler is registered for its name, 500 when
 * the handler throws, 503 when the method pool's queue is full, 400 when its topic is misshapen. Desired-property
 * notifications whose {@code $version} is not newer than the last one delivered are dropped, which is what the twin
 * reconnection flow needs. Cloud-to-device messages that arrive before any handler is registered are kept
 * (unacknowledged) and handed to the first handler.
 * <p>
 * Nothing the hub sends can break the connection: a topic that is not for this identity, misshapen or undecodable
 * is acknowledged (a QoS 1 message would otherwise come back after every reconnect) and dropped, and each kind of
 * problem is logged at WARN at most once a minute, with a count of the repeats.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubInboundRouter implements InboundMessageListener, DisposableBean {

    private static final Log logger = LogFactory.getLog(IotHubInboundRouter.class);

    private static final int MAX_BUFFERED_MESSAGES = 50;

    private static final int LOGGED_TOPIC_LENGTH = 200;

    private static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private final ConnectionString identity;

    private final int queueCapacity;

    private final ExecutorService cloudToDeviceExecutor;

    private final ExecutorService desiredExecutor;

    private final ExecutorService methodExecutor;

    private final RateLimitedWarnings warnings;

    private final DirectMethodDispatcher directMethods;

    private final DesiredPropertiesDispatcher desiredProperties;

    private final List<CloudToDeviceMessageHandler> cloudToDeviceHandlers = new CopyOnWriteArrayList<>();

    private final Deque<Buffered> buffered = new ArrayDeque<>();

    private volatile @Nullable TwinResponseListener twinResponseListener;

    /**
     * Creates a router with 4 direct-method threads and queues of 100, and registers it as the manager's inbound
     * listener.
     *
     * @param clientManager the connection
     */
    public IotHubInboundRouter(IotHubClientManager clientManager) {
        this(clientManager, 4, 100);
    }

    /**
     * Creates a router and registers it as the manager's inbound listener.
     *
     * @param clientManager the connection
     * @param methodThreads how many direct methods may run at once
     * @param queueCapacity how much work of each kind may wait for a thread
     */
    public IotHubInboundRouter(IotHubClientManager clientManager, int methodThreads, int queueCapacity) {
        this.identity = clientManager.getIdentity();
        this.queueCapacity = queueCapacity;
        String prefix = "iothub-" + clientManager.getClientId() + "-";
        this.cloudToDeviceExecutor = boundedExecutor(prefix + "c2d-", 1, queueCapacity);
        this.desiredExecutor = boundedExecutor(prefix + "desired-", 1, queueCapacity);
        this.methodExecutor = boundedExecutor(prefix + "method-", methodThreads, queueCapacity);
        this.warnings = new RateLimitedWarnings(logger, WARNING_INTERVAL, System::nanoTime, clientManager::schedule);
        this.directMethods = new DirectMethodDispatcher(clientManager, this.methodExecutor, methodThreads,
                queueCapacity, this.warnings);
        this.desiredProperties = new DesiredPropertiesDispatcher(this.desiredExecutor, queueCapacity, this.warnings);
        clientManager.setInboundMessageListener(this);
    }

    private static ExecutorService boundedExecutor(String threadNamePrefix, int threads, int queueCapacity) {
        CustomizableThreadFactory threadFactory = new CustomizableThreadFactory(threadNamePrefix);
        threadFactory.setDaemon(true);
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(queueCapacity), threadFactory);
    }

    /**
     * Registers a handler for cloud-to-device messages; every registered handler gets every message.
     *
     * @return a registration that removes the handler
     */
    public Registration addCloudToDeviceHandler(CloudToDeviceMessageHandler handler) {
        this.cloudToDeviceHandlers.add(handler);
        executeCloudToDevice(this::drainBuffered);
        return () -> this.cloudToDeviceHandlers.remove(handler);
    }

    /**
     * Registers the handler of a direct method.
     *
     * @param methodName the method name, exactly as invoked
     * @return a registration that removes the handler
     * @throws IllegalStateException if the method already has a handler
     */
    public Registration addDirectMethodHandler(String methodName, DirectMethodHandler handler) {
        return this.directMethods.add(methodName, handler);
    }

    /**
     * Registers a handler for desired-property updates.
     *
     * @return a registration that removes the handler
     */
    public Registration addDesiredPropertiesHandler(DesiredPropertiesHandler handler) {
        return this.desiredProperties.add(handler);
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

    /** The {@code $version} of the last desired-property update delivered, or empty before the first. */
    public Optional<Long> lastDesiredVersion() {
        return this.desiredProperties.lastVersion();
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
        HubTopic parsed = HubTopic.parse(topic, this.identity.deviceId(), this.identity.moduleId());
        if (parsed instanceof HubTopic.CloudToDevice cloudToDevice) {
            CloudToDeviceMessage message = new CloudToDeviceMessage(topic, payload, cloudToDevice.properties());
            if (!executeCloudToDevice(() -> deliverCloudToDevice(new Buffered(message, acknowledgement)))) {
                this.warnings.warn("Could not take cloud-to-device messages: " + this.queueCapacity + " are waiting "
                        + "for the handlers; each stays unacknowledged and comes back after the next reconnect",
                        " (message " + message.messageId() + ")");
            }
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

    private void deliverCloudToDevice(Buffered message) {
        if (this.cloudToDeviceHandlers.isEmpty()) {
            if (this.buffered.size() >= MAX_BUFFERED_MESSAGES) {
                Buffered oldest = this.buffered.pollFirst();
                logger.warn("No cloud-to-device handler is registered; completing message "
                        + oldest.message.messageId() + " unhandled");
                oldest.acknowledgement.run();
            }
            this.buffered.addLast(message);
            return;
        }
        for (CloudToDeviceMessageHandler handler : this.cloudToDeviceHandlers) {
            try {
                handler.handle(message.message);
            }
            catch (Exception ex) {
                logger.error("Cloud-to-device handler failed on message " + message.message.messageId()
                        + "; the message is completed anyway", ex);
            }
        }
        message.acknowledgement.run();
    }

    private void drainBuffered() {
        List<Buffered> waiting = new ArrayList<>(this.buffered);
        this.buffered.clear();
        waiting.forEach(this::deliverCloudToDevice);
    }

    private boolean executeCloudToDevice(Runnable task) {
        try {
            this.cloudToDeviceExecutor.execute(task);
            return true;
        }
        catch (RejectedExecutionException ex) {
            return this.cloudToDeviceExecutor.isShutdown();
        }
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

    @Override
    public void destroy() {
        List<ExecutorService> executors = List.of(this.cloudToDeviceExecutor, this.desiredExecutor,
                this.methodExecutor);
        executors.forEach(ExecutorService::shutdown);
        try {
            for (ExecutorService executor : executors) {
                if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            }
        }
        catch (InterruptedException ex) {
            executors.forEach(ExecutorService::shutdownNow);
            Thread.currentThread().interrupt();
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

    private record Buffered(CloudToDeviceMessage message, Runnable acknowledgement) {
    }

}
