package dev.iothub.emulator.hub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.protocol.SubscriptionFilter;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DeviceLink} that records what the hub hands it, for tests of the hub without connections.
 */
final class RecordingLink implements DeviceLink {

    final Set<SubscriptionFilter> subscriptions = EnumSet.noneOf(SubscriptionFilter.class);

    final List<QueuedMessage> delivered = new ArrayList<>();

    final List<String> events = new ArrayList<>();

    final List<String> closed = new ArrayList<>();

    RecordingLink(SubscriptionFilter... subscriptions) {
        this.subscriptions.addAll(List.of(subscriptions));
    }

    @Override
    public DeviceEndpoint endpoint() {
        return DeviceEndpoint.MQTT;
    }

    @Override
    public @Nullable String certificateThumbprint() {
        return null;
    }

    @Override
    public boolean isSubscribed(SubscriptionFilter filter) {
        return this.subscriptions.contains(filter);
    }

    @Override
    public void desiredPropertiesChanged(long version, byte[] patch) {
        this.events.add("desired " + version + " " + new String(patch, StandardCharsets.UTF_8));
    }

    @Override
    public void methodRequest(String methodName, String requestId, byte[] payload) {
        this.events.add("method " + methodName + " " + requestId + " " + new String(payload, StandardCharsets.UTF_8));
    }

    @Override
    public void deliver(QueuedMessage message) {
        this.delivered.add(message);
    }

    @Override
    public CompletableFuture<Void> publishRaw(String topic, byte[] payload, int qos) {
        this.events.add("raw " + topic);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close(String reason) {
        this.closed.add(reason);
    }
}
