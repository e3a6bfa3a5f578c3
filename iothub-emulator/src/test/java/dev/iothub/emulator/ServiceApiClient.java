package dev.iothub.emulator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test's client of an emulator's service REST API over plain HTTP/1.1: requests with the {@code api-version} of
 * the API under test, JSON bodies as {@code application/json}, answers with their status and JSON body.
 */
final class ServiceApiClient {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    private final IotHubEmulator hub;

    private final String apiVersion;

    /**
     * @param hub the emulator whose {@link IotHubEmulator#serviceUri()} to call
     * @param apiVersion the {@code api-version} query parameter, e.g. IoT Hub's {@code 2021-04-12}
     */
    ServiceApiClient(IotHubEmulator hub, String apiVersion) {
        this.hub = hub;
        this.apiVersion = apiVersion;
    }

    /** A request to the path, with the {@code api-version} and a 30-second timeout, for the caller to finish. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(this.hub.serviceUri() + path + "?api-version=" + this.apiVersion))
            .timeout(Duration.ofSeconds(30));
    }

    Answer send(HttpRequest request) throws Exception {
        return Answer.of(http.send(request, BodyHandlers.ofString()));
    }

    /** Sends without waiting for the answer, e.g. a direct method the test's device is yet to answer. */
    CompletableFuture<Answer> sendAsync(HttpRequest request) {
        return http.sendAsync(request, BodyHandlers.ofString()).thenApply(Answer::of);
    }

    Answer get(String path) throws Exception {
        return send(request(path).GET().build());
    }

    /** Sends the method with a JSON body ({@code null} for none). */
    Answer send(String method, String path, @Nullable String jsonBody) throws Exception {
        BodyPublisher body = (jsonBody != null) ? BodyPublishers.ofString(jsonBody) : BodyPublishers.noBody();
        return send(request(path).method(method, body).header("Content-Type", "application/json").build());
    }

    /**
     * An answer: its status, the response (for headers and a body that is not JSON) and its JSON body, {@code null}
     * when empty or not JSON.
     */
    record Answer(int status, HttpResponse<String> response, @Nullable JsonNode body) {

        static Answer of(HttpResponse<String> response) {
            boolean isJson = response.headers().firstValue("Content-Type").orElse("").contains("json");
            JsonNode body = (response.body().isEmpty() || !isJson) ? null : json.readTree(response.body());
            return new Answer(response.statusCode(), response, body);
        }

        /** The emulator's six-digit {@code errorCode} of an error answer. */
        int errorCode() {
            return this.body.get("errorCode").asInt();
        }
    }
}
