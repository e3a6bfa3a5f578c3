package dev.iothub.emulator.rest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import dev.iothub.emulator.LogCapture;
import dev.iothub.emulator.hub.Json;
import io.netty.handler.codec.http.FullHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request gets an answer, in the order the requests came, and what failed is logged, even when a handler throws
 * an {@link Error} or its answer cannot be written as JSON.
 */
class RestDispatcherTests {

    private final CompletableFuture<RestResponse> later = new CompletableFuture<>();

    private final RestRouter router = new RestRouter().add("GET", "/error", (request) -> {
        throw new StackOverflowError("handler overflowed");
    })
        .add("GET", "/unwritable", (request) -> RestResponse.ok(tooDeepToWrite()))
        .addAsync("GET", "/later", (request) -> this.later)
        .add("GET", "/now", (request) -> RestResponse.ok(Json.MAPPER.createObjectNode().put("answer", "now")));

    private RestConnection connection = RestConnection.open(this.router, Runnable::run);

    @AfterEach
    void close() {
        this.connection.close();
    }

    @Test
    void whenAHandlerThrowsAnErrorThenTheAnswerIs500AndTheErrorIsLogged() {
        try (LogCapture log = LogCapture.of(RestDispatcher.class)) {
            FullHttpResponse answer = single(get("/error"));
            assertThat(answer.status().code()).isEqualTo(500);
            assertThat(body(answer).get("errorCode").asInt()).isEqualTo(500000);
            assertThat(log.messages()).anyMatch((message) -> message.contains("GET /error")
                    && message.contains("handler overflowed"));
        }
    }

    @Test
    void whenTheAnswerCannotBeWrittenAsJsonThenTheAnswerIs500AndTheFailureIsLogged() {
        try (LogCapture log = LogCapture.of(RestDispatcher.class)) {
            FullHttpResponse answer = single(get("/unwritable?api-version=2021-04-12"));
            assertThat(answer.status().code()).isEqualTo(500);
            assertThat(body(answer).get("errorCode").asInt()).isEqualTo(500000);
            assertThat(log.messages()).anyMatch((message) -> message.contains("GET /unwritable as JSON"));
        }
    }

    @Test
    void whenRequestsArePipelinedThenEachWaitsForTheAnswerBeforeIt() {
        this.connection.send(request("/later") + request("/now"));
        assertThat(this.connection.answers()).isEmpty();
        this.later.complete(RestResponse.ok(Json.MAPPER.createObjectNode().put("answer", "later")));
        List<FullHttpResponse> answers = this.connection.answers();
        assertThat(answers).extracting((answer) -> body(answer).get("answer").asString())
            .containsExactly("later", "now");
        assertThat(this.connection.isOpen()).isTrue();
    }

    @Test
    void whenTheRequestIsNotValidHttpThen400AndTheConnectionCloses() {
        FullHttpResponse answer = single(get("/" + "x".repeat(10_000)));
        assertThat(answer.status().code()).isEqualTo(400);
        assertThat(body(answer).get("errorCode").asInt()).isEqualTo(400000);
        assertThat(answer.headers().get("Connection")).isEqualTo("close");
        assertThat(this.connection.isOpen()).isFalse();
    }

    @Test
    void whenTheRequestTargetIsNotAPathThen400004AndTheConnectionStays() {
        for (String target : new String[] { "a:b", "/devices/a|b" }) {
            FullHttpResponse answer = single(get(target));
            assertThat(answer.status().code()).as(target).isEqualTo(400);
            assertThat(body(answer).get("errorCode").asInt()).as(target).isEqualTo(400004);
        }
        assertThat(this.connection.isOpen()).isTrue();
    }

    @Test
    void whenTheRestApiIsClosingThenTheConnectionCloses() {
        this.connection.close();
        this.connection = RestConnection.open(this.router, (task) -> {
            throw new RejectedExecutionException("shut down");
        });
        assertThat(get("/now")).isEmpty();
        assertThat(this.connection.isOpen()).isFalse();
    }

    private List<FullHttpResponse> get(String target) {
        return this.connection.send(request(target)).answers();
    }

    private static String request(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    private static FullHttpResponse single(List<FullHttpResponse> answers) {
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private static JsonNode body(FullHttpResponse answer) {
        return Json.MAPPER.readTree(answer.content().toString(StandardCharsets.UTF_8));
    }

    private static ObjectNode tooDeepToWrite() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode node = root;
        for (int i = 0; i <= Json.MAX_WRITE_DEPTH; i++) {
            node = node.putObject("level");
        }
        return root;
    }
}
