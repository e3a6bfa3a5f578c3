package dev.iothub.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes the property bag that ends telemetry and cloud-to-device topics
 * ({@code key=value&key2&key3=}). A key without {@code =} has a {@code null} value; {@code key=} has an empty one.
 */
public final class PropertyBag {

    private PropertyBag() {
    }

    /**
     * Decodes a bag into an insertion-ordered map whose values may be {@code null}. Keys and values are
     * percent-decoded, so {@code %24.mid} and {@code $.mid} both become {@code $.mid}.
     *
     * @throws IllegalArgumentException when a key or value holds a malformed percent-escape ({@code %ZZ}, a lone
     * {@code %})
     */
    public static Map<String, @Nullable String> decode(@Nullable String bag) {
        Map<String, @Nullable String> properties = new LinkedHashMap<>();
        if (bag == null || bag.isEmpty()) {
            return properties;
        }
        for (String pair : bag.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 0) {
                properties.put(UrlEncoding.decode(pair), null);
            }
            else {
                properties.put(UrlEncoding.decode(pair.substring(0, equals)),
                        UrlEncoding.decode(pair.substring(equals + 1)));
            }
        }
        return properties;
    }

    /** Encodes properties in iteration order; a {@code null} value is written as the bare key. */
    public static String encode(Map<String, @Nullable String> properties) {
        StringBuilder bag = new StringBuilder();
        encode(properties, bag);
        return bag.toString();
    }

    /** Appends the encoded properties, as {@link #encode(Map)} makes them. */
    public static void encode(Map<String, @Nullable String> properties, StringBuilder out) {
        boolean first = true;
        for (Map.Entry<String, @Nullable String> property : properties.entrySet()) {
            if (!first) {
                out.append('&');
            }
            first = false;
            UrlEncoding.encode(property.getKey(), out);
            String value = property.getValue();
            if (value != null) {
                out.append('=');
                UrlEncoding.encode(value, out);
            }
        }
    }

    /** An empty, read-only bag. */
    public static Map<String, @Nullable String> empty() {
        return Collections.emptyMap();
    }
}
