package dev.iothub.protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The percent-encoding IoT Hub uses in topics, property bags and SAS tokens: form encoding with spaces as
 * {@code %20}, exactly as the official Java device SDK writes it.
 */
public final class UrlEncoding {

    private UrlEncoding() {
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * Encodes text as {@code URLEncoder} does in UTF-8, but with spaces as {@code %20}: only letters, digits and
     * {@code * - . _} stay literal (an unpaired surrogate becomes {@code %3F}). Text that needs no escape, such as
     * a message id, is returned as is, without copying: this runs for every property of every message.
     */
    public static String encode(String text) {
        int literal = 0;
        while (literal < text.length() && isLiteral(text.charAt(literal))) {
            literal++;
        }
        if (literal == text.length()) {
            return text;
        }
        byte[] rest = text.substring(literal).getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = new StringBuilder(literal + 3 * rest.length);
        encoded.append(text, 0, literal);
        for (byte b : rest) {
            int c = b & 0xFF;
            if (c < 0x80 && isLiteral((char) c)) {
                encoded.append((char) c);
            }
            else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return encoded.toString();
    }

    private static boolean isLiteral(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '.' || c == '*';
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
