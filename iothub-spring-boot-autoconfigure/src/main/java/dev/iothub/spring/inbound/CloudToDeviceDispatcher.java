package dev.iothub.spring.inbound;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.iothub.spring.inbound.IotHubInboundRouter.Registration;

/**
 * Delivers cloud-to-device messages to every handler, one message at a time in arrival order, and completes each
 * message once the handlers returned.
 * <p>
 * Until the application is ready, a message that finds no handler is held unacknowledged (at most 50, the oldest
 * completed unhandled beyond that) for the first handler, so that messages queued while the device was offline
 * reach a handler registered during start-up. Once the application is ready, a message without a handler is
 * completed at once, held ones too: the application chose to receive no cloud-to-device messages (or receives them
 * through a Spring Integration adapter on the shared connection), and unacknowledged messages would come back after
 * every reconnect and fill the device's queue at the hub.
 */
final class CloudToDeviceDispatcher {

    static final int MAX_HELD_MESSAGES = 50;

    private static final Log logger = LogFactory.getLog(CloudToDeviceDispatcher.class);

    private final InboundExecutor executor;

    private final RateLimitedWarnings warnings;

    private final List<CloudToDeviceMessageHandler> handlers = new CopyOnWriteArrayList<>();

    /** Only touched on the executor's one thread. */
    private final Deque<Delivery> held = new ArrayDeque<>();

    private volatile boolean applicationReady;

    /** Only touched on the executor's one thread. */
    private boolean completedUnhandled;

    CloudToDeviceDispatcher(InboundExecutor executor, RateLimitedWarnings warnings) {
        this.executor = executor;
        this.warnings = warnings;
    }

    Registration add(CloudToDeviceMessageHandler handler) {
        this.handlers.add(handler);
        this.executor.execute(this::releaseHeld);
        return () -> this.handlers.remove(handler);
    }

    /** From now on, a message without a handler is completed at once; so are those held until now. */
    void applicationReady() {
        this.applicationReady = true;
        this.executor.execute(this::releaseHeld);
    }

    /** Queues a message for the handlers; never blocks. */
    void dispatch(CloudToDeviceMessage message, Runnable acknowledgement) {
        Delivery delivery = new Delivery(message, acknowledgement);
        if (this.executor.execute(() -> deliver(delivery)) == InboundExecutor.Outcome.FULL) {
            this.warnings.warn("Could not take cloud-to-device messages: " + this.executor.queueCapacity()
                    + " are waiting for the handlers; each stays unacknowledged and comes back after the next "
                    + "reconnect", " (message " + message.messageId() + ")");
        }
    }

    private void deliver(Delivery delivery) {
        if (this.handlers.isEmpty()) {
            if (this.applicationReady) {
                completeUnhandled(delivery);
                return;
            }
            if (this.held.size() >= MAX_HELD_MESSAGES) {
                Delivery oldest = this.held.pollFirst();
                logger.warn("No cloud-to-device handler is registered; completing message "
                        + oldest.message.messageId() + " unhandled");
                oldest.acknowledgement.run();
            }
            this.held.addLast(delivery);
            return;
        }
        for (CloudToDeviceMessageHandler handler : this.handlers) {
            try {
                handler.handle(delivery.message);
            }
            catch (Exception ex) {
                logger.error("Cloud-to-device handler failed on message " + delivery.message.messageId()
                        + "; the message is completed anyway", ex);
            }
        }
        delivery.acknowledgement.run();
    }

    private void completeUnhandled(Delivery delivery) {
        if (!this.completedUnhandled) {
            this.completedUnhandled = true;
            logger.debug("No cloud-to-device handler is registered now that the application is ready; completing "
                    + "cloud-to-device messages unhandled, starting with " + delivery.message.messageId());
        }
        delivery.acknowledgement.run();
    }

    private void releaseHeld() {
        List<Delivery> waiting = new ArrayList<>(this.held);
        this.held.clear();
        waiting.forEach(this::deliver);
    }

    private record Delivery(CloudToDeviceMessage message, Runnable acknowledgement) {
    }

}
