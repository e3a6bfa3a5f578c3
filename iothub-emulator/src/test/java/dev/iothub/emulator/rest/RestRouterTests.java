package dev.iothub.emulator.rest;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Matching requests to routes.
 */
class RestRouterTests {

    private final RestRouter router = new RestRouter().add("GET", "/devices", (request) -> RestResponse.noContent())
        .add("PUT", "/devices/{id}", (request) -> RestResponse.noContent())
        .add("GET", "/devices/{id}", (request) -> RestResponse.noContent())
        .add("POST", "/devices/{id}/messages/deviceBound", (request) -> RestResponse.noContent());

    @Test
    void whenAVariableSegmentMatchesThenItIsPercentDecoded() {
        RestRouter.RouteMatch match = this.router.match("GET", "/devices/a%20b+c%2Fd");
        assertThat(match).isInstanceOfSatisfying(RestRouter.RouteMatch.Found.class,
                (found) -> assertThat(found.pathVariables()).isEqualTo(Map.of("id", "a b+c/d")));
    }

    @Test
    void whenLiteralSegmentsDifferInCaseOrSlashesThenTheyStillMatch() {
        assertThat(this.router.match("POST", "/devices/x/messages/devicebound/"))
            .isInstanceOf(RestRouter.RouteMatch.Found.class);
        assertThat(this.router.match("get", "//devices")).isInstanceOf(RestRouter.RouteMatch.Found.class);
    }

    @Test
    void whenOnlyOtherMethodsMatchThenTheyAreListed() {
        assertThat(this.router.match("DELETE", "/devices/x")).isEqualTo(
                new RestRouter.RouteMatch.MethodNotAllowed(Set.of("GET", "PUT")));
    }

    @Test
    void whenNoRouteHasThePathThenItIsNotFound() {
        assertThat(this.router.match("GET", "/devices/x/twin")).isInstanceOf(RestRouter.RouteMatch.NotFound.class);
        assertThat(this.router.match("GET", "/devices/%zz")).isInstanceOf(RestRouter.RouteMatch.NotFound.class);
    }
}
