package dev.iothub.spring.connection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttException;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.Topics;

/**
 * The four subscriptions every IoT Hub connection needs (cloud-to-device messages, direct methods, twin responses,
 * desired properties), sent in one SUBSCRIBE, and which of them the hub refused.
 */
final class HubSubscriptions {

    /** The granted QoS with which an MQTT 3.1.1 SUBACK refuses a filter. */
    static final int REFUSED = 0x80;

    private final String[] filters;

    private final int[] qos = { 1, 0, 0, 0 };

    private final IMqttMessageListener[] listeners;

    /**
     * @param identity the device or module whose cloud-to-device filter is subscribed
     * @param listener receives every message arriving on the filters
     */
    HubSubscriptions(ConnectionString identity, IMqttMessageListener listener) {
        this.filters = new String[] { Topics.cloudToDeviceFilter(identity.deviceId(), identity.moduleId()),
                Topics.METHODS_FILTER, Topics.TWIN_RESPONSES_FILTER, Topics.DESIRED_PROPERTIES_FILTER };
        this.listeners = new IMqttMessageListener[this.filters.length];
        Arrays.fill(this.listeners, listener);
    }

    /** Sends the SUBSCRIBE; {@code answer} hears of the SUBACK (or of the failure) on Paho's thread. */
    void subscribe(IMqttAsyncClient client, IMqttActionListener answer) throws MqttException {
        client.subscribe(this.filters, this.qos, null, answer, this.listeners);
    }

    /** The filters a SUBACK refused, in subscription order; a missing return code counts as refused. */
    List<String> refused(int[] granted) {
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < this.filters.length; i++) {
            if (i >= granted.length || granted[i] == REFUSED) {
                refused.add(this.filters[i]);
            }
        }
        return refused;
    }

}
