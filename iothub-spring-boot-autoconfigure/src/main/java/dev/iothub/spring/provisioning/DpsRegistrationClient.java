package dev.iothub.spring.provisioning;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.integration.mqtt.core.MqttPahoClientFactory;

/**
 * One registration with the Device Provisioning Service over MQTT, on a short-lived Paho client: connect, subscribe
 * {@code $dps/registrations/res/#}, publish the register request, then poll the operation until the device is
 * assigned, waiting as long as each {@code retry-after} says and backing off when throttled (429) or when the
 * service fails (5xx), all within the settings' total timeout. {@link #register()} blocks the calling thread; Paho's
 * callback thread only completes the answer it waits for.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class DpsRegistrationClient {

    /** The filter of every answer of the provisioning service. */
    public static final String RESPONSE_FILTER = "$dps/registrations/res/#";

    private static final String RESPONSE_PREFIX = "$dps/registrations/res/";

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(2);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private static final Log logger = LogFactory.getLog(DpsRegistrationClient.class);

    private final ProvisioningSettings settings;

    private final MqttPahoClientFactory clientFactory;

    private final JsonMapper json;

    private final Clock clock;

    /**
     * @param settings where and how to register
     * @param clientFactory creates the Paho client (the same factory the hub connection uses, or a test's)
     * @param json reads and writes the request and answer bodies
     * @param clock the clock of the deadline and the SAS token
     */
    public DpsRegistrationClient(ProvisioningSettings settings, MqttPahoClientFactory clientFactory, JsonMapper json,
            Clock clock) {
        this.settings = settings;
        this.clientFactory = clientFactory;
        this.json = json;
        this.clock = clock;
    }

    /** The settings of this client. */
    public ProvisioningSettings getSettings() {
        return this.settings;
    }

    /**
     * Registers the device and waits for its assignment.
     *
     * @return the hub and device id the service assigned
     * @throws IotHubProvisioningException if the service refused, failed or disabled the registration, or did not
     * assign the device within the timeout
     */
    public DeviceAssignment register() {
        Instant deadline = this.clock.instant().plus(this.settings.timeout());
        Answers answers = new Answers();
        IMqttAsyncClient client;
        try {
            client = this.clientFactory.getAsyncClientInstance(this.settings.serverUri(),
                    this.settings.registrationId());
        }
        catch (MqttException ex) {
            throw new IotHubProvisioningException("Could not create the MQTT client for the provisioning service",
                    "Check iothub.dps.global-endpoint.", ex);
        }
        client.setCallback(answers);
        try {
            connect(client);
            subscribe(client);
            return converse(client, answers, deadline);
        }
        finally {
            close(client);
        }
    }

    private void connect(IMqttAsyncClient client) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval(60);
        options.setConnectionTimeout((int) Math.max(1, this.settings.connectTimeout().toSeconds()));
        options.setUserName(this.settings.username());
        String password = this.settings.password(this.clock.instant());
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        options.setSocketFactory(this.settings.socketFactory());
        try {
            client.connect(options).waitForCompletion(this.settings.connectTimeout().toMillis() + 1000);
        }
        catch (MqttException ex) {
            int code = ex.getReasonCode();
            if (code == MqttException.REASON_CODE_NOT_AUTHORIZED
                    || code == MqttException.REASON_CODE_FAILED_AUTHENTICATION) {
                throw new IotHubProvisioningException(describe() + " was refused: the provisioning service did not "
                        + "accept the credentials (CONNACK " + code + ")", credentialsAction(), ex);
            }
            throw new IotHubProvisioningException(describe() + " failed: could not connect to the provisioning "
                    + "service at " + this.settings.endpoint() + " (" + ex.getMessage() + ")",
                    "Check iothub.dps.global-endpoint, iothub.transport, iothub.proxy.* and the network.", ex);
        }
    }

    private void subscribe(IMqttAsyncClient client) {
        try {
            IMqttToken token = client.subscribe(RESPONSE_FILTER, 1);
            token.waitForCompletion(this.settings.connectTimeout().toMillis());
            int[] granted = token.getGrantedQos();
            if (granted != null && granted.length > 0 && granted[0] == 0x80) {
                throw new IotHubProvisioningException(describe() + " failed: the service refused the subscription to "
                        + RESPONSE_FILTER, "Check iothub.dps.global-endpoint: it must be a provisioning service.");
            }
        }
        catch (MqttException ex) {
            throw new IotHubProvisioningException(describe() + " failed: no answer to the subscription to "
                    + RESPONSE_FILTER + " (" + ex.getMessage() + ")",
                    "Check iothub.dps.global-endpoint: it must be a provisioning service.", ex);
        }
    }

    private DeviceAssignment converse(IMqttAsyncClient client, Answers answers, Instant deadline) {
        int rid = 0;
        int failures = 0;
        @Nullable String operationId = null;
        while (true) {
            String requestId = Integer.toString(++rid);
            CompletableFuture<Answer> pending = answers.expect(requestId);
            if (operationId == null) {
                publish(client, "$dps/registrations/PUT/iotdps-register/?$rid=" + requestId, registerBody());
            }
            else {
                publish(client, "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + requestId
                        + "&operationId=" + operationId, new byte[0]);
            }
            Answer answer = await(pending, deadline);
            if (answer.status() == 429 || answer.status() >= 500) {
                failures++;
                Duration backoff = (answer.retryAfter() != null) ? answer.retryAfter()
                        : min(DEFAULT_RETRY_AFTER.multipliedBy(1L << Math.min(failures - 1, 5)), MAX_BACKOFF);
                logger.info(describe() + ": the service answered " + answer.status() + "; trying again in "
                        + backoff.toMillis() + " ms");
                pause(backoff, deadline);
                continue;
            }
            failures = 0;
            if (answer.status() != 200 && answer.status() != 202) {
                throw rejected(answer);
            }
            JsonNode body = answer.body();
            String status = body.path("status").asString("");
            if (status.isEmpty()) {
                status = body.path("registrationState").path("status").asString("");
            }
            switch (status) {
                case "assigned" -> {
                    return assignment(body);
                }
                case "assigning", "unassigned" -> {
                    String id = body.path("operationId").asString("");
                    if (id.isEmpty() && operationId == null) {
                        throw unexpected("an answer without an operationId");
                    }
                    operationId = id.isEmpty() ? operationId : id;
                    pause((answer.retryAfter() != null) ? answer.retryAfter() : DEFAULT_RETRY_AFTER, deadline);
                }
                case "disabled" -> throw new IotHubProvisioningException(describe()
                        + " was refused: the enrollment is disabled",
                        "Enable the enrollment (or its group) in the Device Provisioning Service.");
                case "failed" -> {
                    JsonNode state = body.path("registrationState");
                    throw new IotHubProvisioningException(describe() + " failed: "
                            + state.path("errorMessage").asString("no error message") + " (error code "
                            + state.path("errorCode").asString("none") + ")",
                            "Check the enrollment's allocation policy and linked hubs in the Device "
                                    + "Provisioning Service.");
                }
                default -> throw unexpected("the status '" + status + "'");
            }
        }
    }

    private DeviceAssignment assignment(JsonNode body) {
        JsonNode state = body.has("registrationState") ? body.path("registrationState") : body;
        String hub = state.path("assignedHub").asString("");
        String deviceId = state.path("deviceId").asString("");
        if (hub.isEmpty() || deviceId.isEmpty()) {
            throw unexpected("an assignment without assignedHub or deviceId");
        }
        return new DeviceAssignment(hub, deviceId);
    }

    private byte[] registerBody() {
        ObjectNode body = this.json.createObjectNode();
        body.put("registrationId", this.settings.registrationId());
        if (this.settings.payload() != null) {
            body.set("payload", this.settings.payload());
        }
        return this.json.writeValueAsBytes(body);
    }

    private void publish(IMqttAsyncClient client, String topic, byte[] body) {
        try {
            client.publish(topic, body, 1, false);
        }
        catch (MqttException ex) {
            throw new IotHubProvisioningException(describe() + " failed: could not send the request ("
                    + ex.getMessage() + ")", "Check the network and try again.", ex);
        }
    }

    private Answer await(CompletableFuture<Answer> pending, Instant deadline) {
        try {
            return pending.get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            throw timedOut();
        }
        catch (ExecutionException ex) {
            throw new IotHubProvisioningException(describe() + " failed: the provisioning service closed the "
                    + "connection (" + ex.getCause().getMessage() + ")", credentialsAction(), ex.getCause());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    private void pause(Duration delay, Instant deadline) {
        if (delay.compareTo(remaining(deadline)) >= 0) {
            throw timedOut();
        }
        try {
            Thread.sleep(delay.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    private Duration remaining(Instant deadline) {
        Duration left = Duration.between(this.clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private IotHubProvisioningException rejected(Answer answer) {
        String message = answer.body().path("message").asString(answer.body().path("errorMessage").asString(""));
        String detail = "the service answered " + answer.status()
                + (message.isEmpty() ? "" : ": " + message);
        return switch (answer.status()) {
            case 401, 403 -> new IotHubProvisioningException(describe() + " was refused: " + detail,
                    credentialsAction());
            case 404 -> new IotHubProvisioningException(describe() + " was refused: " + detail
                    + " (no such enrollment)", "Create an enrollment for '" + this.settings.registrationId()
                    + "', or correct iothub.dps.registration-id and iothub.dps.id-scope.");
            default -> new IotHubProvisioningException(describe() + " failed: " + detail,
                    "Check iothub.dps.payload and the enrollment in the Device Provisioning Service.");
        };
    }

    private String credentialsAction() {
        return (this.settings.deviceKey() != null)
                ? "Check iothub.dps.symmetric-key (an individual enrollment's key) or iothub.dps.enrollment-group-key "
                        + "(a group's key), iothub.dps.registration-id and iothub.dps.id-scope."
                : "Check that the certificate of iothub.ssl.bundle is enrolled and that its common name is "
                        + "iothub.dps.registration-id.";
    }

    private IotHubProvisioningException unexpected(String what) {
        return new IotHubProvisioningException(describe() + " failed: the service sent " + what,
                "Check iothub.dps.global-endpoint: it must be a Device Provisioning Service.");
    }

    private IotHubProvisioningException timedOut() {
        return new IotHubProvisioningException(describe() + " timed out: no assignment within "
                + this.settings.timeout(), "Try again later, or raise iothub.dps.timeout.");
    }

    private IotHubProvisioningException interrupted() {
        return new IotHubProvisioningException(describe() + " was interrupted", "The application is stopping.");
    }

    private String describe() {
        return "Registration '" + this.settings.registrationId() + "' in ID scope '" + this.settings.idScope() + "'";
    }

    private static Duration min(Duration a, Duration b) {
        return (a.compareTo(b) <= 0) ? a : b;
    }

    private static void close(IMqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(0).waitForCompletion(1000);
            }
        }
        catch (MqttException ex) {
            logger.debug("Could not disconnect from the provisioning service cleanly", ex);
            try {
                client.disconnectForcibly(0, 1000);
            }
            catch (MqttException ignored) {
                // already down
            }
        }
        finally {
            try {
                client.close();
            }
            catch (MqttException ex) {
                logger.debug("Could not close the provisioning MQTT client", ex);
            }
        }
    }

    /** An answer of the provisioning service. */
    record Answer(int status, @Nullable Duration retryAfter, JsonNode body) {

    }

    /** Paho's callbacks: each answer completes the request that carries its {@code $rid}; nothing else. */
    private final class Answers implements MqttCallback {

        private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();

        private volatile @Nullable Throwable lost;

        CompletableFuture<Answer> expect(String requestId) {
            CompletableFuture<Answer> future = new CompletableFuture<>();
            this.pending.put(requestId, future);
            Throwable cause = this.lost;
            if (cause != null) {
                this.pending.remove(requestId);
                future.completeExceptionally(cause);
            }
            return future;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (!topic.startsWith(RESPONSE_PREFIX)) {
                return;
            }
            String rest = topic.substring(RESPONSE_PREFIX.length());
            int slash = rest.indexOf('/');
            int query = rest.indexOf('?');
            String status = rest.substring(0, (slash >= 0) ? slash : rest.length());
            String requestId = null;
            Duration retryAfter = null;
            if (query >= 0) {
                for (String parameter : rest.substring(query + 1).split("&")) {
                    int equals = parameter.indexOf('=');
                    String name = (equals >= 0) ? parameter.substring(0, equals) : parameter;
                    String value = (equals >= 0) ? parameter.substring(equals + 1) : "";
                    if (name.equals("$rid")) {
                        requestId = value;
                    }
                    else if (name.equals("retry-after")) {
                        retryAfter = seconds(value);
                    }
                }
            }
            CompletableFuture<Answer> future = (requestId != null) ? this.pending.remove(requestId) : null;
            if (future == null) {
                logger.debug("Ignoring an answer of the provisioning service for no pending request: " + topic);
                return;
            }
            try {
                future.complete(new Answer(Integer.parseInt(status), retryAfter, body(message.getPayload())));
            }
            catch (NumberFormatException ex) {
                future.completeExceptionally(new IllegalStateException("an answer with status '" + status + "'"));
            }
        }

        private JsonNode body(byte[] payload) {
            if (payload.length == 0) {
                return DpsRegistrationClient.this.json.createObjectNode();
            }
            try {
                return DpsRegistrationClient.this.json.readTree(payload);
            }
            catch (JacksonException ex) {
                return DpsRegistrationClient.this.json.createObjectNode()
                    .put("message", new String(payload, StandardCharsets.UTF_8));
            }
        }

        private static @Nullable Duration seconds(String value) {
            try {
                long seconds = Long.parseLong(value);
                return (seconds >= 0) ? Duration.ofSeconds(seconds) : null;
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            this.lost = cause;
            this.pending.values().forEach((future) -> future.completeExceptionally(cause));
            this.pending.clear();
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

    }

}
