package dev.iothub.emulator.hub;

import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;

import dev.iothub.emulator.IotHubServiceException;
import org.jspecify.annotations.Nullable;

/**
 * One identity's cloud-to-device queue: at most {@value #MAX_DEPTH} messages, each either waiting or in flight to
 * one connection until that connection acknowledges it. Messages in flight on a connection that ends are delivered
 * again later. Guarded by its owning {@link DeviceState}.
 */
final class CloudToDeviceQueue {

    static final int MAX_DEPTH = 50;

    private final LinkedList<Entry> entries = new LinkedList<>();

    void add(QueuedMessage message) {
        if (this.entries.size() >= MAX_DEPTH) {
            throw new IotHubServiceException(IotHubServiceException.QUEUE_DEPTH_EXCEEDED,
                    "The cloud-to-device queue already holds " + MAX_DEPTH + " messages");
        }
        this.entries.add(new Entry(message));
    }

    /** Marks every waiting message as in flight on the link and returns them, oldest first. */
    List<QueuedMessage> takeWaiting(DeviceLink link) {
        List<QueuedMessage> taken = new ArrayList<>();
        for (Entry entry : this.entries) {
            if (entry.inFlightOn == null) {
                entry.inFlightOn = link;
                taken.add(entry.message);
            }
        }
        return taken;
    }

    void acknowledge(QueuedMessage message) {
        this.entries.removeIf((entry) -> entry.message == message);
    }

    /** Puts the messages in flight on a link back to waiting. */
    void release(DeviceLink link) {
        for (Entry entry : this.entries) {
            if (entry.inFlightOn == link) {
                entry.inFlightOn = null;
            }
        }
    }

    int size() {
        return this.entries.size();
    }

    void purge() {
        this.entries.clear();
    }

    private static final class Entry {

        private final QueuedMessage message;

        private @Nullable DeviceLink inFlightOn;

        Entry(QueuedMessage message) {
            this.message = message;
        }
    }
}
