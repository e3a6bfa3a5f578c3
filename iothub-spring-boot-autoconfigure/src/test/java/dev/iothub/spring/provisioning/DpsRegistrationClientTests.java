package dev.iothub.spring.provisioning;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import javax.net.ssl.SSLSocketFactory;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.integration.mqtt.core.MqttPahoClientFactory;

import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HubSocketFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link DpsRegistrationClient} against a mocked Paho client that answers each request as scripted.
 */
class DpsRegistrationClientTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final JsonMapper json = new JsonMapper();

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final IMqttToken connectToken = mock(IMqttToken.class);

    private final List<String> published = new CopyOnWriteArrayList<>();

    private final List<String> bodies = new CopyOnWriteArrayList<>();

    private DpsRegistrationClient client(Duration timeout, Function<String, @Nullable String[]> answers)
            throws Exception {
        MqttPahoClientFactory factory = mock(MqttPahoClientFactory.class);
        given(factory.getAsyncClientInstance(anyString(), anyString())).willReturn(this.mqtt);
        given(this.mqtt.connect(any(MqttConnectOptions.class))).willReturn(this.connectToken);
        IMqttToken subscribed = mock(IMqttToken.class);
        given(subscribed.getGrantedQos()).willReturn(new int[] { 1 });
        given(this.mqtt.subscribe(DpsRegistrationClient.RESPONSE_FILTER, 1)).willReturn(subscribed);
        MqttCallback[] callback = new MqttCallback[1];
        willAnswer((invocation) -> {
            callback[0] = invocation.getArgument(0);
            return null;
        }).given(this.mqtt).setCallback(any(MqttCallback.class));
        willAnswer((invocation) -> {
            String topic = invocation.getArgument(0);
            this.published.add(topic);
            this.bodies.add(new String((byte[]) invocation.getArgument(1), StandardCharsets.UTF_8));
            String[] answer = answers.apply(topic);
            if (answer != null) {
                String rid = topic.replaceAll(".*\\$rid=(\\d+).*", "$1");
                callback[0].messageArrived(answer[0].replace("{rid}", rid),
                        new MqttMessage(answer[1].getBytes(StandardCharsets.UTF_8)));
            }
            return null;
        }).given(this.mqtt).publish(anyString(), any(byte[].class), anyInt(), any(Boolean.class));
        ProvisioningSettings settings = new ProvisioningSettings("0ne0001", "dev-1", "dps.example", 8883,
                IotHubTransport.MQTT, KEY, new HubSocketFactory((SSLSocketFactory) SSLSocketFactory.getDefault(), null),
                this.json.createObjectNode().put("modelId", "dtmi:com:example:Thermostat;1"), Duration.ofSeconds(5),
                timeout, Duration.ofHours(1));
        return new DpsRegistrationClient(settings, factory, this.json, Clock.systemUTC());
    }

    @Test
    void registersThenPollsTheOperationUntilAssigned() throws Exception {
        int[] polls = { 0 };
        DpsRegistrationClient client = client(Duration.ofSeconds(10), (topic) -> {
            if (topic.startsWith("$dps/registrations/PUT/iotdps-register/")) {
                return new String[] { "$dps/registrations/res/202/?$rid={rid}&retry-after=0",
                        "{\"operationId\":\"op-1\",\"status\":\"assigning\"}" };
            }
            return (polls[0]++ == 0)
                    ? new String[] { "$dps/registrations/res/202/?$rid={rid}&retry-after=0",
                            "{\"operationId\":\"op-1\",\"status\":\"assigning\"}" }
                    : new String[] { "$dps/registrations/res/200/?$rid={rid}",
                            "{\"operationId\":\"op-1\",\"status\":\"assigned\",\"registrationState\":"
                                    + "{\"assignedHub\":\"hub-a.azure-devices.net\",\"deviceId\":\"device-a\","
                                    + "\"status\":\"assigned\"}}" };
        });

        assertThat(client.register()).isEqualTo(new DeviceAssignment("hub-a.azure-devices.net", "device-a"));
        assertThat(this.published).containsExactly("$dps/registrations/PUT/iotdps-register/?$rid=1",
                "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=op-1",
                "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=3&operationId=op-1");
        assertThat(this.bodies.get(0)).isEqualTo(
                "{\"registrationId\":\"dev-1\",\"payload\":{\"modelId\":\"dtmi:com:example:Thermostat;1\"}}");
        ArgumentCaptor<MqttConnectOptions> options = ArgumentCaptor.forClass(MqttConnectOptions.class);
        verify(this.mqtt).connect(options.capture());
        assertThat(options.getValue().getUserName()).isEqualTo("0ne0001/registrations/dev-1/api-version=2019-03-31");
        assertThat(new String(options.getValue().getPassword())).startsWith("SharedAccessSignature sig=")
            .contains("&sr=0ne0001/registrations/dev-1")
            .endsWith("&skn=registration");
        verify(this.mqtt).close();
    }

    @Test
    void whenTheAssignmentFailedThenTheErrorOfTheServiceIsReported() throws Exception {
        DpsRegistrationClient client = client(Duration.ofSeconds(10),
                (topic) -> new String[] { "$dps/registrations/res/200/?$rid={rid}",
                        "{\"operationId\":\"op-1\",\"status\":\"failed\",\"registrationState\":{\"status\":\"failed\","
                                + "\"errorCode\":400207,\"errorMessage\":\"Custom allocation failed\"}}" });

        assertThatThrownBy(client::register).isInstanceOf(IotHubProvisioningException.class)
            .hasMessage("Registration 'dev-1' in ID scope '0ne0001' failed: Custom allocation failed "
                    + "(error code 400207)");
    }

    @Test
    void whenTheServiceRefusesTheConnectThenTheCredentialsAreNamed() throws Exception {
        DpsRegistrationClient client = client(Duration.ofSeconds(10), (topic) -> null);
        willThrow(new MqttSecurityException(5)).given(this.connectToken).waitForCompletion(any(Long.class));

        assertThatThrownBy(client::register).isInstanceOf(IotHubProvisioningException.class)
            .hasMessageContaining("was refused")
            .hasMessageContaining("CONNACK 5")
            .satisfies((ex) -> assertThat(((IotHubProvisioningException) ex).getAction())
                .contains("iothub.dps.symmetric-key"));
        verify(this.mqtt).close();
    }

    @Test
    void whenTheServiceDoesNotAnswerThenTheRegistrationTimesOut() throws Exception {
        DpsRegistrationClient client = client(Duration.ofSeconds(1), (topic) -> null);

        assertThatThrownBy(client::register).isInstanceOf(IotHubProvisioningException.class)
            .hasMessageContaining("timed out: no assignment within PT1S");
    }

}
