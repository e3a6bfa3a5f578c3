package dev.iothub.spring.inbound;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.Topics;
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
 * the handler throws, or 503 when the method pool's queue is full. Desired-property updates whose {@code $version} is not newer than the last
 * one delivered are dropped, which is what the twin reconnection flow needs. Cloud-to-device messages that arrive
 * before any handler is registered are kept (unacknowledged) and handed to the first handler.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubInboundRouter implements InboundMessageListener, DisposableBean {

    private static final Log logger = LogFactory.getLog(IotHubInboundRouter.class);

    private static final int MAX_BUFFERED_MESSAGES = 50;

    private final IotHubClientManager clientManager;

    private final ExecutorService cloudToDeviceExecutor;

    private final ExecutorService desiredExecutor;

    private final ExecutorService methodExecutor;

    private final List<CloudToDeviceMessageHandler> cloudToDeviceHandlers = new CopyOnWriteArrayList<>();

    private final Map<String, DirectMethodHandler> methodHandlers = new ConcurrentHashMap<>();

    private final List<DesiredPropertiesHandler> desiredHandlers = new CopyOnWriteArrayList<>();

    private final Deque<Buffered> buffered = new ArrayDeque<>();

    private final AtomicLong desiredVersion = new AtomicLong(Long.MIN_VALUE);

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
        this.clientManager = clientManager;
        String prefix = "iothub-" + clientManager.getClientId() + "-";
        this.cloudToDeviceExecutor = boundedExecutor(prefix + "c2d-", 1, queueCapacity);
        this.desiredExecutor = boundedExecutor(prefix + "desired-", 1, queueCapacity);
        this.methodExecutor = boundedExecutor(prefix + "method-", methodThreads, queueCapacity);
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
        execute(this.cloudToDeviceExecutor, this::drainBuffered);
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
        DirectMethodHandler existing = this.methodHandlers.putIfAbsent(methodName, handler);
        if (existing != null) {
            throw new IllegalStateException("The direct method '" + methodName + "' already has a handler");
        }
        return () -> this.methodHandlers.remove(methodName, handler);
    }

    /**
     * Registers a handler for desired-property updates.
     *
     * @return a registration that removes the handler
     */
    public Registration addDesiredPropertiesHandler(DesiredPropertiesHandler handler) {
        this.desiredHandlers.add(handler);
        return () -> this.desiredHandlers.remove(handler);
    }

    /** Whether any desired-property handler is registered. */
    public boolean hasDesiredPropertiesHandlers() {
        return !this.desiredHandlers.isEmpty();
    }

    /** Sets the receiver of twin responses (the twin API). */
    public void setTwinResponseListener(TwinResponseListener listener) {
        this.twinResponseListener = listener;
    }

    /**
     * Delivers a desired-properties update to the handlers, unless its version is not newer than the last one
     * delivered. Used by the twin reconnection flow for the document read after a (re)connect.
     */
    public void dispatchDesiredProperties(DesiredPropertiesUpdate update) {
        execute(this.desiredExecutor, () -> deliverDesired(update));
    }

    /** The {@code $version} of the last desired-property update delivered, or empty before the first. */
    public Optional<Long> lastDesiredVersion() {
        long version = this.desiredVersion.get();
        return (version != Long.MIN_VALUE) ? Optional.of(version) : Optional.empty();
    }

    @Override
    public void messageArrived(String topic, byte[] payload, Runnable acknowledgement) {
        Optional<HubTopic> parsed = HubTopic.parse(topic);
        if (parsed.isEmpty()) {
            logger.debug("Ignoring a message on an unknown topic: " + topic);
            acknowledgement.run();
            return;
        }
        HubTopic hubTopic = parsed.get();
        if (hubTopic instanceof HubTopic.TwinResponse response) {
            acknowledgement.run();
            TwinResponseListener listener = this.twinResponseListener;
            if (listener != null) {
                listener.twinResponse(response, payload);
            }
        }
        else if (hubTopic instanceof HubTopic.CloudToDevice cloudToDevice) {
            CloudToDeviceMessage message = new CloudToDeviceMessage(topic, payload, cloudToDevice.properties());
            execute(this.cloudToDeviceExecutor, () -> deliverCloudToDevice(new Buffered(message, acknowledgement)));
        }
        else if (hubTopic instanceof HubTopic.MethodRequest request) {
            acknowledgement.run();
            DirectMethodRequest methodRequest = new DirectMethodRequest(request.methodName(), request.requestId(),
                    payload);
            if (!execute(this.methodExecutor, () -> invoke(methodRequest))) {
                answer(methodRequest, DirectMethodResponse.of(503,
                        "{\"error\":\"Busy\",\"message\":\"Too many direct methods are running\"}"));
            }
        }
        else if (hubTopic instanceof HubTopic.DesiredPatch patch) {
            acknowledgement.run();
            execute(this.desiredExecutor,
                    () -> deliverDesired(new DesiredPropertiesUpdate(patch.version(), payload, false)));
        }
    }

    private void deliverCloudToDevice(Buffered message) {
        if (this.cloudToDeviceHandlers.isEmpty()) {
            if (this.buffered.size() >= MAX_BUFFERED_MESSAGES) {
                logger.warn("No cloud-to-device handler is registered; completing message "
                        + this.buffered.peekFirst().message.messageId() + " unhandled");
                this.buffered.pollFirst().acknowledgement.run();
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

    private void invoke(DirectMethodRequest request) {
        DirectMethodHandler handler = this.methodHandlers.get(request.methodName());
        if (handler == null) {
            logger.warn("No handler for direct method '" + request.methodName() + "'; answering 501");
            answer(request, DirectMethodResponse.of(501, "{\"error\":\"NotImplemented\",\"message\":"
                    + "\"No handler for direct method '" + jsonEscape(request.methodName()) + "'\"}"));
            return;
        }
        handler.handleAsync(request).whenComplete((response, ex) -> {
            if (ex != null) {
                logger.error("Direct method '" + request.methodName() + "' failed; answering 500", ex);
                answer(request, DirectMethodResponse.of(500, "{\"error\":\""
                        + jsonEscape(ex.getClass().getSimpleName()) + "\"}"));
            }
            else {
                answer(request, (response != null) ? response : DirectMethodResponse.of(200));
            }
        });
    }

    private void answer(DirectMethodRequest request, DirectMethodResponse response) {
        this.clientManager.publish(Topics.methodResponse(response.status(), request.requestId()),
                response.payload(), 1).exceptionally((ex) -> {
                    logger.warn("Could not answer direct method '" + request.methodName() + "': " + ex.getMessage());
                    return null;
                });
    }

    private void deliverDesired(DesiredPropertiesUpdate update) {
        long previous = this.desiredVersion.get();
        if (previous != Long.MIN_VALUE && update.version() <= previous) {
            logger.debug("Ignoring desired properties $version " + update.version() + "; already at " + previous);
            return;
        }
        this.desiredVersion.set(update.version());
        for (DesiredPropertiesHandler handler : this.desiredHandlers) {
            try {
                handler.handle(update);
            }
            catch (Exception ex) {
                logger.error("Desired properties handler failed on $version " + update.version(), ex);
            }
        }
    }

    private boolean execute(ExecutorService executor, Runnable task) {
        try {
            executor.execute(task);
            return true;
        }
        catch (RejectedExecutionException ex) {
            if (!executor.isShutdown()) {
                logger.error("Inbound work queue is full; dropping work (a cloud-to-device message stays "
                        + "unacknowledged and is delivered again after the next reconnect)");
            }
            return false;
        }
    }

    private static String jsonEscape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
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
