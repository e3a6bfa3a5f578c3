package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import dev.iothub.protocol.SasToken;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain Paho client speaking the Device Provisioning Service dialect by hand, as the DPS docs describe it. */
final class PahoRegistrant implements AutoCloseable {

    static final String DOC_USERNAME_SUFFIX = "/api-version=2019-03-31";

    private static final JsonMapper json = JsonMapper.builder().build();

    private final IotHubEmulator hub;

    private final String registrationId;

    private final MqttClient client;

    private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();

    private int lastRequestId;

    PahoRegistrant(IotHubEmulator hub, String registrationId) throws MqttException {
        this(hub, registrationId, "ssl://localhost:" + hub.mqttPort());
    }

    PahoRegistrant(IotHubEmulator hub, String registrationId, String serverUri) throws MqttException {
        this.hub = hub;
        this.registrationId = registrationId;
        this.client = new MqttClient(serverUri, registrationId, new MemoryPersistence());
        this.client.setTimeToWait(10_000);
        this.client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                PahoRegistrant.this.responses.add(new Response(topic, json.readTree(message.getPayload())));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    /** A SAS token as the DPS docs mint it: {@code sr={idScope}/registrations/{id}}, {@code skn=registration}. */
    static String token(IotHubEmulator hub, String registrationId, String key) {
        return SasToken.create(hub.dpsIdScope() + "/registrations/" + registrationId, key,
                Instant.now().plus(Duration.ofHours(1))).text() + "&skn=registration";
    }

    static MqttConnectOptions options(String username, @Nullable String password, SSLContext tls) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(tls.getSocketFactory());
        options.setUserName(username);
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        return options;
    }

    String username() {
        return this.hub.dpsIdScope() + "/registrations/" + this.registrationId + DOC_USERNAME_SUFFIX;
    }

    /** Connects with a SAS token signed with this key and subscribes to the responses. */
    PahoRegistrant connect(String key) throws MqttException {
        return connectWith(options(username(), token(this.hub, this.registrationId, key), this.hub.clientSslContext()));
    }

    PahoRegistrant connectWith(MqttConnectOptions options) throws MqttException {
        this.client.connect(options);
        this.client.subscribe("$dps/registrations/res/#", 1);
        return this;
    }

    /** Publishes a register request and returns the answer. */
    Response register(String body) throws Exception {
        int requestId = ++this.lastRequestId;
        this.client.publish("$dps/registrations/PUT/iotdps-register/?$rid=" + requestId,
                body.getBytes(StandardCharsets.UTF_8), 1, false);
        return next(requestId);
    }

    Response register() throws Exception {
        return register("{\"registrationId\":\"" + this.registrationId + "\"}");
    }

    /** Polls an operation and returns the answer. */
    Response status(String operationId) throws Exception {
        int requestId = ++this.lastRequestId;
        this.client.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + requestId + "&operationId="
                + operationId, new byte[0], 1, false);
        return next(requestId);
    }

    /** Registers and polls the operation once: the final answer. */
    Response provision() throws Exception {
        Response accepted = register();
        return (accepted.status() == 202) ? status(accepted.body().path("operationId").asString()) : accepted;
    }

    private Response next(int requestId) throws InterruptedException {
        Response response = this.responses.poll(10, TimeUnit.SECONDS);
        if (response == null) {
            throw new AssertionError("No DPS response within 10 s");
        }
        if (!response.topic().contains("?$rid=" + requestId)) {
            throw new AssertionError("Response to another request: " + response.topic());
        }
        return response;
    }

    /** Publishes at QoS 0, without failing when the server closes the connection meanwhile. */
    void publishIgnoringClose(String topic) {
        try {
            this.client.publish(topic, new byte[0], 0, false);
        }
        catch (MqttException closedWhileSending) {
            // what the caller waits for
        }
    }

    boolean isConnected() {
        return this.client.isConnected();
    }

    @Override
    public void close() throws MqttException {
        if (this.client.isConnected()) {
            this.client.disconnect(1000);
        }
        this.client.close(true);
    }

    record Response(String topic, JsonNode body) {

        int status() {
            return Integer.parseInt(this.topic.split("/")[3]);
        }
    }
}
