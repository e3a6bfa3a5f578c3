package dev.iothub.spring.testcontainers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.UrlEncoding;

/**
 * A small client for the emulator's service REST API, for tests that play the back end: invoke a direct method,
 * patch desired properties, send a cloud-to-device message, read and await the telemetry a device sent. Failed
 * requests throw {@link RequestFailedException} with the emulator's error code. Given a service connection string,
 * it authenticates each request with a service SAS token, as the API requires when the emulator listens beyond
 * loopback (the container image does).
 */
public class IotHubEmulatorServiceClient {

    private static final String API_VERSION = "?api-version=2021-04-12";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final URI baseUri;

    private final HttpClient http;

    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

    private final JsonMapper json = JsonMapper.builder().build();

    private final @Nullable ServiceCredentials credentials;

    private @Nullable SasToken token;

    /**
     * Creates a client that sends no credentials, for an emulator on loopback with optional authentication.
     *
     * @param baseUri the REST API's base URI, e.g. {@link IotHubEmulatorContainer#getRestBaseUri()}
     */
    public IotHubEmulatorServiceClient(URI baseUri) {
        this(baseUri, null);
    }

    /**
     * Creates a client that authenticates with a service connection string.
     *
     * @param baseUri the REST API's base URI, e.g. {@link IotHubEmulatorContainer#getRestBaseUri()}
     * @param serviceConnectionString {@code HostName=...;SharedAccessKeyName=...;SharedAccessKey=...}, e.g.
     * {@link IotHubEmulatorContainer#getServiceConnectionString()}, or {@code null} to send no credentials
     */
    public IotHubEmulatorServiceClient(URI baseUri, @Nullable String serviceConnectionString) {
        this.credentials = (serviceConnectionString != null) ? ServiceCredentials.parse(serviceConnectionString)
                : null;
        this.baseUri = baseUri;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    }

    /**
     * The {@code Authorization} header this client sends, a service SAS token valid for at least another 30 minutes,
     * for a request of your own (curl, another HTTP client); {@code null} when the client sends no credentials.
     */
    public @Nullable String authorization() {
        return (this.credentials != null) ? currentToken(this.credentials) : null;
    }

    /** The PEM of the certificate devices must trust. */
    public String caCertificatePem() {
        return send(request("/emulator/ca.pem").GET()).body();
    }

    /**
     * Registers a device with a generated key, or returns the existing one's connection string.
     *
     * @param deviceId the device id
     * @return the device's connection string, with the hub name as {@code HostName}
     */
    public String registerDevice(String deviceId) {
        return readJson(send(request(devicePath(deviceId)).PUT(BodyPublishers.noBody())))
            .path("connectionString")
            .asString();
    }

    /**
     * The device's connection string as the hub writes it, with the hub name as {@code HostName}.
     *
     * @param deviceId a registered device
     */
    public String connectionString(String deviceId) {
        return device(deviceId).path("connectionString").asString();
    }

    /**
     * The device's primary key.
     *
     * @param deviceId a registered device
     */
    public String primaryKey(String deviceId) {
        return device(deviceId).at("/authentication/symmetricKey/primaryKey").asString();
    }

    /**
     * Whether the device is connected.
     *
     * @param deviceId a registered device
     */
    public boolean isConnected(String deviceId) {
        return "Connected".equals(device(deviceId).path("connectionState").asString());
    }

    /**
     * The endpoint the device is connected through: {@code mqtt} or {@code mqtt-ws}, or {@code null} when it is not
     * connected.
     *
     * @param deviceId a registered device
     */
    public @Nullable String connectedVia(String deviceId) {
        JsonNode endpoint = device(deviceId).path("connectedVia");
        return endpoint.isString() ? endpoint.asString() : null;
    }

    /**
     * Invokes a direct method and waits for the device's answer.
     *
     * @param deviceId a connected device
     * @param methodName the method name
     * @param payload the request payload, turned into JSON; {@code null} for none
     * @param responseTimeout how long the hub waits for the device
     * @return the device's status and payload
     * @throws RequestFailedException e.g. {@code 404103} when the device is not connected, {@code 504101} on timeout
     */
    public MethodAnswer invokeMethod(String deviceId, String methodName, @Nullable Object payload,
            Duration responseTimeout) {
        ObjectNode body = this.json.createObjectNode()
            .put("methodName", methodName)
            .put("responseTimeoutInSeconds", Math.max(1, responseTimeout.toSeconds()));
        body.set("payload", this.json.valueToTree(payload));
        HttpRequest.Builder request = request("/twins/" + UrlEncoding.encode(deviceId) + "/methods")
            .timeout(responseTimeout.plus(REQUEST_TIMEOUT))
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(this.json.writeValueAsString(body)));
        JsonNode answer = readJson(send(request));
        return new MethodAnswer(answer.path("status").asInt(), answer.path("payload"));
    }

    /**
     * Patches the device twin's desired properties; the device is notified.
     *
     * @param deviceId a registered device
     * @param desired the properties to set, {@code null} values removing a property
     * @return the twin after the patch
     */
    public JsonNode patchDesired(String deviceId, Map<String, ?> desired) {
        ObjectNode body = this.json.createObjectNode();
        body.putObject("properties").set("desired", this.json.valueToTree(desired));
        return readJson(send(request("/twins/" + UrlEncoding.encode(deviceId))
            .header("Content-Type", "application/json")
            .method("PATCH", BodyPublishers.ofString(this.json.writeValueAsString(body)))));
    }

    /**
     * The device twin, in IoT Hub's shape ({@code properties.desired}, {@code properties.reported}).
     *
     * @param deviceId a registered device
     */
    public JsonNode twin(String deviceId) {
        return readJson(send(request("/twins/" + UrlEncoding.encode(deviceId)).GET()));
    }

    /**
     * Sends a cloud-to-device message.
     *
     * @param deviceId a registered device
     * @param body the message body, sent as UTF-8
     * @param properties application properties (names are sent in lower case)
     * @return the message id
     */
    public String sendCloudToDevice(String deviceId, String body, Map<String, String> properties) {
        HttpRequest.Builder request = request(devicePath(deviceId) + "/messages/deviceBound")
            .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        properties.forEach((name, value) -> request.header("iothub-app-" + name, value));
        return send(request).headers().firstValue("iothub-messageid").orElse("");
    }

    /**
     * The telemetry the hub received from the device so far, oldest first.
     *
     * @param deviceId a registered device
     */
    public List<Telemetry> telemetry(String deviceId) {
        List<Telemetry> messages = new ArrayList<>();
        for (JsonNode message : readJson(send(request(devicePath(deviceId) + "/messages/events").GET()))) {
            messages.add(toTelemetry(message));
        }
        return messages;
    }

    /**
     * Waits for a telemetry message of the device that matches, including ones received before the call.
     *
     * @param deviceId a registered device
     * @param filter which message to wait for
     * @param timeout how long to wait
     * @return the first matching message
     * @throws IllegalStateException when none arrives in time
     */
    public Telemetry awaitTelemetry(String deviceId, Predicate<Telemetry> filter, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            for (Telemetry message : telemetry(deviceId)) {
                if (filter.test(message)) {
                    return message;
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("No matching telemetry from " + deviceId + " within " + timeout);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for telemetry from " + deviceId, ex);
            }
        }
    }

    private JsonNode device(String deviceId) {
        return readJson(send(request(devicePath(deviceId)).GET()));
    }

    private static String devicePath(String deviceId) {
        return "/devices/" + UrlEncoding.encode(deviceId);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(this.baseUri.resolve(path + API_VERSION))
            .timeout(REQUEST_TIMEOUT);
        if (this.credentials != null) {
            request.header("Authorization", currentToken(this.credentials));
        }
        return request;
    }

    private synchronized String currentToken(ServiceCredentials credentials) {
        Instant now = Instant.now();
        SasToken current = this.token;
        if (current == null || current.isExpiredAt(now.plus(TOKEN_LIFETIME.dividedBy(2)))) {
            current = SasToken.create(credentials.hostName(), credentials.key(), now.plus(TOKEN_LIFETIME));
            this.token = current;
        }
        return current.text() + "&skn=" + UrlEncoding.encode(credentials.keyName());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            response = this.http.send(built, BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot reach the emulator at " + this.baseUri + ": " + ex, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + built.method() + " " + built.uri().getPath(), ex);
        }
        if (response.statusCode() >= 300) {
            JsonNode error = parseOrEmpty(response.body());
            throw new RequestFailedException(built.method() + " " + built.uri().getPath(), response.statusCode(),
                    error.path("errorCode").asInt(0), error.path("message").asString(response.body()));
        }
        return response;
    }

    private JsonNode readJson(HttpResponse<String> response) {
        return this.json.readTree(response.body());
    }

    private JsonNode parseOrEmpty(String body) {
        try {
            return this.json.readTree(body);
        }
        catch (RuntimeException ex) {
            return this.json.createObjectNode();
        }
    }

    private static Telemetry toTelemetry(JsonNode message) {
        byte[] body = message.has("bodyBase64") ? Base64.getDecoder().decode(message.path("bodyBase64").asString())
                : message.path("body").asString("").getBytes(StandardCharsets.UTF_8);
        return new Telemetry(message.path("deviceId").asString(), body, strings(message.path("properties")),
                strings(message.path("systemProperties")), Instant.parse(message.path("enqueuedTime").asString()));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.properties().forEach((member) -> values.put(member.getKey(), member.getValue().asString()));
        return values;
    }

    /**
     * A device's answer to a direct method.
     *
     * @param status the status the device answered
     * @param payload the payload it answered, a JSON null node for none
     */
    public record MethodAnswer(int status, JsonNode payload) {
    }

    /**
     * A telemetry message the hub received.
     *
     * @param deviceId the sending device
     * @param body the body
     * @param properties the application properties
     * @param systemProperties system properties such as {@code content-type} and {@code message-id}
     * @param enqueuedTime when the hub received it
     */
    public record Telemetry(String deviceId, byte[] body, Map<String, String> properties,
            Map<String, String> systemProperties, Instant enqueuedTime) {

        /** The body as UTF-8 text. */
        public String bodyAsString() {
            return new String(this.body, StandardCharsets.UTF_8);
        }
    }

    /** The emulator answered a request with an error. */
    public static class RequestFailedException extends RuntimeException {

        private final int httpStatus;

        private final int errorCode;

        RequestFailedException(String request, int httpStatus, int errorCode, String message) {
            super(request + " failed with " + httpStatus + " (" + errorCode + "): " + message);
            this.httpStatus = httpStatus;
            this.errorCode = errorCode;
        }

        /** The HTTP status, e.g. 404. */
        public int getHttpStatus() {
            return this.httpStatus;
        }

        /** IoT Hub's error code, e.g. {@code 404103} (device not online); 0 when the answer had none. */
        public int getErrorCode() {
            return this.errorCode;
        }
    }

    /** The parts of a service connection string a token needs. */
    private record ServiceCredentials(String hostName, String keyName, String key) {

        static ServiceCredentials parse(String connectionString) {
            Map<String, String> parts = new LinkedHashMap<>();
            for (String part : connectionString.split(";")) {
                int equals = part.indexOf('=');
                if (equals > 0) {
                    parts.put(part.substring(0, equals).strip(), part.substring(equals + 1).strip());
                }
            }
            String hostName = parts.get("HostName");
            String keyName = parts.get("SharedAccessKeyName");
            String key = parts.get("SharedAccessKey");
            if (hostName == null || keyName == null || key == null) {
                throw new IllegalArgumentException("A service connection string needs HostName, SharedAccessKeyName "
                        + "and SharedAccessKey");
            }
            return new ServiceCredentials(hostName, keyName, key);
        }
    }
}
