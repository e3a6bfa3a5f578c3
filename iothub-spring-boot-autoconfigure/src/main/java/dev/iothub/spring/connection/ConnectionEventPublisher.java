package dev.iothub.spring.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;

import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;

/**
 * Tells the application what the connection did: publishes the IoT Hub connection events and calls the
 * {@link IotHubConnectionListener}s. A failing listener is logged and never stops the connection.
 */
final class ConnectionEventPublisher {

    private static final Log logger = LogFactory.getLog(ConnectionEventPublisher.class);

    private final Object source;

    private final Supplier<String> clientId;

    private final Supplier<@Nullable ApplicationEventPublisher> publisher;

    private final List<IotHubConnectionListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param source the source of every event (the client manager)
     * @param clientId the client id the events name, asked at each event (the identity can change)
     * @param publisher the context's publisher, asked at each event since it is set after construction
     */
    ConnectionEventPublisher(Object source, Supplier<String> clientId,
            Supplier<@Nullable ApplicationEventPublisher> publisher) {
        this.source = source;
        this.clientId = clientId;
        this.publisher = publisher;
    }

    void addListener(IotHubConnectionListener listener) {
        this.listeners.add(listener);
    }

    /** The connection is up and subscribed; also tells the listeners. */
    void connected(boolean reconnect) {
        publish(new IotHubConnectedEvent(this.source, this.clientId.get(), reconnect));
        notifyListeners(reconnect, false);
    }

    /** The connection is up and subscribed again after presenting a fresh token; also tells the listeners. */
    void tokenRenewed(Instant expiry) {
        publish(new IotHubSasTokenRenewedEvent(this.source, this.clientId.get(), expiry));
        notifyListeners(true, true);
    }

    void disconnected(DisconnectReason reason, @Nullable Throwable cause) {
        publish(new IotHubDisconnectedEvent(this.source, this.clientId.get(), reason, cause));
    }

    void reconnecting(int attempt, Duration delay, @Nullable Throwable cause) {
        publish(new IotHubReconnectingEvent(this.source, this.clientId.get(), attempt, delay, cause));
    }

    private void notifyListeners(boolean reconnect, boolean tokenRenewal) {
        for (IotHubConnectionListener listener : this.listeners) {
            try {
                listener.connected(reconnect, tokenRenewal);
            }
            catch (RuntimeException ex) {
                logger.error("Connection listener failed", ex);
            }
        }
    }

    private void publish(ApplicationEvent event) {
        ApplicationEventPublisher target = this.publisher.get();
        if (target == null) {
            return;
        }
        try {
            target.publishEvent(event);
        }
        catch (RuntimeException ex) {
            logger.warn("An IoT Hub connection event listener failed", ex);
        }
    }

}
