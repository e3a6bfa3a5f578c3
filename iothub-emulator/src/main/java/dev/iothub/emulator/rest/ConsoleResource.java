package dev.iothub.emulator.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The browser console at {@code /} of the service port: a static page, its script and its style sheet, read once
 * from the emulator jar. The page drives the emulator through the REST routes next to it, on the same origin, and
 * its Content Security Policy allows nothing but the emulator itself. The files hold no secret and answer without
 * authentication; where the API requires it, the page asks for a service credential and signs its own requests.
 */
final class ConsoleResource {

    private static final String LOCATION = "/dev/iothub/emulator/console/";

    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
                    + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff", "Cache-Control", "no-cache", "Referrer-Policy", "no-referrer");

    void addTo(RestRouter router) {
        router.addAnonymous("GET", "/", page("index.html", "text/html; charset=utf-8"))
            .addAnonymous("GET", "/console/console.js", page("console.js", "text/javascript; charset=utf-8"))
            .addAnonymous("GET", "/console/console.css", page("console.css", "text/css; charset=utf-8"));
    }

    private static Function<RestRequest, RestResponse> page(String name, String contentType) {
        String text = read(name);
        Map<String, String> headers = new HashMap<>(SECURITY_HEADERS);
        headers.put("Content-Type", contentType);
        RestResponse response = new RestResponse(200, Map.copyOf(headers), null, text);
        return (request) -> response;
    }

    private static String read(String name) {
        try (InputStream in = ConsoleResource.class.getResourceAsStream(LOCATION + name)) {
            if (in == null) {
                throw new IllegalStateException("The emulator jar lacks " + LOCATION + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
