package dev.iothub.spring.connection;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * What reaches Paho from an inbound message: never an exception, and exactly one acknowledgement.
 */
class InboundDeliveryTests {

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final InboundDelivery delivery = new InboundDelivery(() -> this.mqtt);

    private static MqttMessage qos1(int id) {
        MqttMessage message = new MqttMessage(new byte[] { 1 });
        message.setQos(1);
        message.setId(id);
        return message;
    }

    @Test
    void aListenerThatThrowsDoesNotReachPahoAndTheMessageIsAcknowledged() throws Exception {
        this.delivery.setListener((topic, payload, acknowledgement) -> {
            throw new IllegalStateException("bug");
        });
        assertThatNoException().isThrownBy(() -> this.delivery.deliver("devices/d/messages/devicebound/", qos1(7)));
        verify(this.mqtt).messageArrivedComplete(7, 1);
    }

    @Test
    void anAcknowledgementCalledTwiceSendsOnePuback() throws Exception {
        this.delivery.setListener((topic, payload, acknowledgement) -> {
            acknowledgement.run();
            acknowledgement.run();
            throw new IllegalStateException("after acknowledging");
        });
        this.delivery.deliver("devices/d/messages/devicebound/", qos1(8));
        verify(this.mqtt, times(1)).messageArrivedComplete(8, 1);
    }

}
