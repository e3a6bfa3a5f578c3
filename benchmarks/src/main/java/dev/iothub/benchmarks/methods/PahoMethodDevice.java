package dev.iothub.benchmarks.methods;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.PahoConnections;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.Topics;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * The baseline: a raw Paho client that answers method requests from its message callback.
 */
public final class PahoMethodDevice implements MethodDevice {

    @Override
    public String subject() {
        return "raw Paho MqttAsyncClient (baseline)";
    }

    @Override
    public AutoCloseable open(IotHubEmulator hub, String deviceId, Deadline deadline) throws Exception {
        MqttAsyncClient client = PahoConnections.newClient(hub, deviceId);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                System.out.println("  Paho method device lost its connection: " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws MqttException {
                if (HubTopic.parse(topic).orElse(null) instanceof HubTopic.MethodRequest request) {
                    client.publish(Topics.methodResponse(200, request.requestId()), message.getPayload(), 0, false);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        try {
            PahoConnections.connect(client, hub, deviceId, 10, deadline);
            client.subscribe(Topics.METHODS_FILTER, 0).waitForCompletion(deadline.remainingMillis());
        }
        catch (MqttException ex) {
            PahoConnections.close(client);
            throw ex;
        }
        return () -> PahoConnections.close(client);
    }
}
