package dev.iothub.emulator.rest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static dev.iothub.emulator.rest.RestConnection.IDLE_TIMEOUT;
import static dev.iothub.emulator.rest.RestConnection.REQUEST_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time limits of a REST connection, on a frozen clock: the whole request within the request timeout, no limit
 * while it is answered, then the idle timeout.
 */
class RequestDeadlineHandlerTests {

    private static final Duration JUST_BEFORE = Duration.ofMillis(1);

    private static final String WHOLE_REQUEST = "GET /later HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private final CompletableFuture<RestResponse> later = new CompletableFuture<>();

    private final RestRouter router = new RestRouter().addAsync("GET", "/later", (request) -> this.later);

    @ParameterizedTest
    @ValueSource(strings = { "", "GET /lat", "GET /later HTTP/1.1\r\nHost: localhost\r\n",
            "POST /later HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\":" })
    void whenARequestDoesNotArriveWholeThenTheConnectionClosesAtTheRequestTimeout(String part) {
        try (RestConnection connection = RestConnection.open(this.router, Runnable::run)) {
            connection.send(part).advance(REQUEST_TIMEOUT.minus(JUST_BEFORE));
            assertThat(connection.isOpen()).isTrue();
            connection.advance(JUST_BEFORE);
            assertThat(connection.isOpen()).isFalse();
            assertThat(connection.answers()).isEmpty();
        }
    }

    @Test
    void whenARequestIsAnsweredLaterThanTheRequestTimeoutThenTheConnectionWaitsThenIdles() {
        try (RestConnection connection = RestConnection.open(this.router, Runnable::run)) {
            connection.send(WHOLE_REQUEST).advance(Duration.ofHours(1));
            assertThat(connection.isOpen()).isTrue();
            this.later.complete(RestResponse.noContent());
            assertThat(connection.answers()).singleElement()
                .satisfies((answer) -> assertThat(answer.status().code()).isEqualTo(204));
            connection.advance(IDLE_TIMEOUT.minus(JUST_BEFORE));
            assertThat(connection.isOpen()).isTrue();
            connection.advance(JUST_BEFORE);
            assertThat(connection.isOpen()).isFalse();
        }
    }

    @Test
    void whenAKeptAliveConnectionStartsAnotherRequestThenItHasTheRequestTimeoutFromItsFirstBytes() {
        this.later.complete(RestResponse.noContent());
        try (RestConnection connection = RestConnection.open(this.router, Runnable::run)) {
            assertThat(connection.send(WHOLE_REQUEST).answers()).hasSize(1);
            connection.advance(IDLE_TIMEOUT.minus(JUST_BEFORE)).send("GET /la").advance(JUST_BEFORE);
            connection.advance(REQUEST_TIMEOUT.minus(JUST_BEFORE).minus(JUST_BEFORE));
            assertThat(connection.isOpen()).isTrue();
            connection.advance(JUST_BEFORE);
            assertThat(connection.isOpen()).isFalse();
        }
    }
}
