package dev.iothub.spring.connection;

import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;

/**
 * Hands every message the hub publishes to the {@link InboundMessageListener}, with the acknowledgement that
 * completes it (the PUBACK of a QoS 1 message); without a listener the message is acknowledged and dropped.
 */
final class InboundDelivery {

    private static final Log logger = LogFactory.getLog(InboundDelivery.class);

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

    /** Called on Paho's callback thread. */
    void deliver(String topic, MqttMessage message) {
        InboundMessageListener target = this.listener;
        IMqttAsyncClient mqtt = this.client.get();
        Runnable acknowledgement = () -> acknowledge(mqtt, message);
        if (target == null) {
            logger.debug("No inbound listener; dropping message on " + topic);
            acknowledgement.run();
            return;
        }
        target.messageArrived(topic, message.getPayload(), acknowledgement);
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
