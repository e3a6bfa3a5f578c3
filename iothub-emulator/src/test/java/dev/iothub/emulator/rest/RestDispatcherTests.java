package dev.iothub.emulator.rest;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import dev.iothub.emulator.LogCapture;
import dev.iothub.emulator.hub.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request gets an answer, and what failed is logged, even when a handler throws an {@link Error} or its
 * answer cannot be written as JSON.
 */
class RestDispatcherTests {

    private final HttpClient http = HttpClient.newHttpClient();

    private ExecutorService executor;

    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        RestRouter router = new RestRouter().add("GET", "/error", (request) -> {
            throw new StackOverflowError("handler overflowed");
        }).add("GET", "/unwritable", (request) -> RestResponse.ok(tooDeepToWrite()));
        this.executor = Executors.newSingleThreadExecutor();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.server.createContext("/", new RestDispatcher(router, this.executor));
        this.server.setExecutor(this.executor);
        this.server.start();
    }

    @AfterEach
    void stop() {
        this.server.stop(0);
        this.executor.shutdownNow();
    }

    @Test
    void whenAHandlerThrowsAnErrorThenTheAnswerIs500AndTheErrorIsLogged() throws Exception {
        try (LogCapture log = LogCapture.of(RestDispatcher.class)) {
            HttpResponse<String> answer = get("/error");
            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(Json.MAPPER.readTree(answer.body()).get("errorCode").asInt()).isEqualTo(500000);
            assertThat(log.messages()).anyMatch((message) -> message.contains("GET /error")
                    && message.contains("handler overflowed"));
        }
    }

    @Test
    void whenTheAnswerCannotBeWrittenAsJsonThenTheAnswerIs500AndTheFailureIsLogged() throws Exception {
        try (LogCapture log = LogCapture.of(RestDispatcher.class)) {
            HttpResponse<String> answer = get("/unwritable");
            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(Json.MAPPER.readTree(answer.body()).get("errorCode").asInt()).isEqualTo(500000);
            assertThat(log.messages()).anyMatch((message) -> message.contains("GET /unwritable"));
        }
    }

    private static ObjectNode tooDeepToWrite() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode node = root;
        for (int i = 0; i <= Json.MAX_WRITE_DEPTH; i++) {
            node = node.putObject("level");
        }
        return root;
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + this.server.getAddress().getPort() + path);
        return this.http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
