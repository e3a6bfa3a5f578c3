package dev.iothub.emulator.hub;

import java.util.List;

import dev.iothub.emulator.IotHubServiceException;

/**
 * The identities' cloud-to-device queues: queues messages from the service, hands the waiting ones to the current
 * connection once it subscribed, and completes them when the device acknowledges.
 */
final class CloudToDeviceQueues {

    private final DeviceRegistry registry;

    CloudToDeviceQueues(DeviceRegistry registry) {
        this.registry = registry;
    }

    /**
     * Queues a message and delivers it at once if the identity is connected and subscribed.
     *
     * @throws IotHubServiceException {@code 403004} when the queue is full
     */
    void send(String id, QueuedMessage message) {
        DeviceState state = this.registry.require(id);
        DeviceLink link;
        synchronized (state) {
            state.cloudToDevice().add(message);
            link = state.link();
        }
        if (link != null) {
            deliver(id, link);
        }
    }

    /** Delivers the waiting messages if the link is current and subscribed to them. */
    void deliver(String id, DeviceLink link) {
        DeviceState state = this.registry.get(id);
        if (state == null) {
            return;
        }
        List<QueuedMessage> deliverable;
        synchronized (state) {
            deliverable = state.takeDeliverable(link);
        }
        deliverable.forEach(link::deliver);
    }

    void acknowledged(String id, QueuedMessage message) {
        DeviceState state = this.registry.get(id);
        if (state != null) {
            synchronized (state) {
                state.cloudToDevice().acknowledge(message);
            }
        }
    }

    /** The number of messages waiting or in flight. */
    int pending(String id) {
        DeviceState state = this.registry.require(id);
        synchronized (state) {
            return state.cloudToDevice().size();
        }
    }

    void purge(String id) {
        DeviceState state = this.registry.require(id);
        synchronized (state) {
            state.cloudToDevice().purge();
        }
    }
}
