package dev.iothub.spring.connection;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Hands every message the hub publishes to the {@link InboundMessageListener}, with the acknowledgement that
 * completes it (the PUBACK of a QoS 1 message); without a listener the message is acknowledged and dropped.
 */
final class InboundDelivery {

    private static final Log logger = LogFactory.getLog(InboundDelivery.class);

    private static final int LOGGED_TOPIC_LENGTH = 200;

    private final Supplier<@Nullable IMqttAsyncClient> client;

    private volatile @Nullable InboundMessageListener listener;

    /**
     * @param client the client the message arrived on, asked at arrival
     */
    InboundDelivery(Supplier<@Nullable IMqttAsyncClient> client) {
        this.client = client;
    }

    void setListener(InboundMessageListener listener) {
        this.listener = listener;
    }

    /**
     * Called on Paho's callback thread. Nothing escapes to Paho, which would drop the connection and, for a QoS 1
     * message, receive it again after every reconnect: a listener failure is logged and the message acknowledged.
     * The acknowledgement runs at most once, whoever calls it.
     */
    void deliver(String topic, MqttMessage message) {
        InboundMessageListener target = this.listener;
        IMqttAsyncClient mqtt = this.client.get();
        AtomicBoolean acknowledged = new AtomicBoolean();
        Runnable acknowledgement = () -> {
            if (acknowledged.compareAndSet(false, true)) {
                acknowledge(mqtt, message);
            }
        };
        if (target == null) {
            logger.debug("No inbound listener; dropping message on " + topic);
            acknowledgement.run();
            return;
        }
        try {
            target.messageArrived(topic, message.getPayload(), acknowledgement);
        }
        catch (RuntimeException ex) {
            logger.warn("Dropping a message on " + StringUtils.truncate(topic, LOGGED_TOPIC_LENGTH)
                    + " that could not be handled: " + ex);
            acknowledgement.run();
        }
    }


    private static void acknowledge(@Nullable IMqttAsyncClient mqtt, MqttMessage message) {
        if (mqtt == null || message.getQos() == 0) {
            return;
        }
        try {
            mqtt.messageArrivedComplete(message.getId(), message.getQos());
        }
        catch (MqttException | RuntimeException ex) {
            logger.debug("Could not acknowledge message " + message.getId() + "; the hub will deliver it again", ex);
        }
    }

}
