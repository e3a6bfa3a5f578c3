package dev.iothub.emulator.mqtt;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.iothub.protocol.SubscriptionFilter;

/**
 * The MQTT session of one identity: its subscriptions. With CleanSession=0 it outlives its connections.
 */
final class DeviceSession {

    static final int MAX_SUBSCRIPTIONS = 5;

    private final Map<String, SubscriptionFilter> subscriptions = new ConcurrentHashMap<>();

    /** Adds a subscription; returns {@code false} when that would exceed the limit of five. */
    boolean subscribe(String filter, SubscriptionFilter kind) {
        if (!this.subscriptions.containsKey(filter) && this.subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            return false;
        }
        this.subscriptions.put(filter, kind);
        return true;
    }

    void unsubscribe(String filter) {
        this.subscriptions.remove(filter);
    }

    boolean isSubscribed(SubscriptionFilter kind) {
        return this.subscriptions.containsValue(kind);
    }
}
