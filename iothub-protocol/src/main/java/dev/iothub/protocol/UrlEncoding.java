package dev.iothub.protocol;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The percent-encoding IoT Hub uses in topics, property bags and SAS tokens: form encoding with spaces as
 * {@code %20}, exactly as the official Java device SDK writes it.
 */
public final class UrlEncoding {

    private UrlEncoding() {
    }

    /** Encodes text; only letters, digits and {@code * - . _} stay literal. */
    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Decodes percent-escapes ({@code +} becomes a space, as in a query string).
     *
     * @throws IllegalArgumentException for a malformed escape
     */
    public static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
