package dev.iothub.emulator.rest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Maps an HTTP method and a path to the handler of a route such as {@code PUT /devices/{id}}. Literal segments match
 * case-insensitively, a {@code {name}} segment matches one percent-decoded path segment. Query strings (e.g.
 * {@code api-version}) play no part.
 */
final class RestRouter {

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route whose handler answers at once. */
    RestRouter add(String method, String template, Function<RestRequest, RestResponse> handler) {
        return addAsync(method, template, (request) -> CompletableFuture.completedFuture(handler.apply(request)));
    }

    /** Adds a route whose handler may answer later. */
    RestRouter addAsync(String method, String template, RestHandler handler) {
        this.routes.add(new Route(method, segments(template), handler, false));
        return this;
    }

    /**
     * Adds a route that answers without authentication, for what holds no secret and is needed before a client
     * can authenticate (the CA certificate, a page that asks for the key).
     */
    RestRouter addAnonymous(String method, String template, Function<RestRequest, RestResponse> handler) {
        this.routes.add(new Route(method, segments(template),
                (request) -> CompletableFuture.completedFuture(handler.apply(request)), true));
        return this;
    }

    /** Finds the route for a request's method and raw (still percent-encoded) path. */
    RouteMatch match(String method, String rawPath) {
        List<String> path = segments(rawPath);
        Set<String> allowed = new TreeSet<>();
        for (Route route : this.routes) {
            Map<String, String> variables = route.match(path);
            if (variables != null) {
                if (route.method.equalsIgnoreCase(method)) {
                    return new RouteMatch.Found(route.handler, variables, route.anonymous);
                }
                allowed.add(route.method);
            }
        }
        return allowed.isEmpty() ? new RouteMatch.NotFound() : new RouteMatch.MethodNotAllowed(allowed);
    }

    private static List<String> segments(String path) {
        return Arrays.stream(path.split("/")).filter((segment) -> !segment.isEmpty()).toList();
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The outcome of routing a request. */
    sealed interface RouteMatch {

        /** A route matched; an anonymous one answers without authentication. */
        record Found(RestHandler handler, Map<String, String> pathVariables, boolean anonymous) implements RouteMatch {
        }

        /** The path matched routes of other methods only. */
        record MethodNotAllowed(Set<String> allowedMethods) implements RouteMatch {
        }

        /** No route has this path. */
        record NotFound() implements RouteMatch {
        }
    }

    private record Route(String method, List<String> template, RestHandler handler, boolean anonymous) {

        @Nullable Map<String, String> match(List<String> path) {
            if (path.size() != this.template.size()) {
                return null;
            }
            Map<String, String> variables = new LinkedHashMap<>();
            for (int i = 0; i < path.size(); i++) {
                String expected = this.template.get(i);
                if (expected.startsWith("{") && expected.endsWith("}")) {
                    String value = decodeOrNull(path.get(i));
                    if (value == null || value.isEmpty()) {
                        return null;
                    }
                    variables.put(expected.substring(1, expected.length() - 1), value);
                }
                else if (!expected.equalsIgnoreCase(path.get(i))) {
                    return null;
                }
            }
            return variables;
        }

        private static @Nullable String decodeOrNull(String segment) {
            try {
                return decode(segment);
            }
            catch (IllegalArgumentException ex) {
                return null;
            }
        }
    }
}
