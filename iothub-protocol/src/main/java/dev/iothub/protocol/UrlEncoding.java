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
        int literal = literalPrefix(text);
        if (literal == text.length()) {
            return text;
        }
        StringBuilder encoded = new StringBuilder(literal + 3 * (text.length() - literal));
        encoded.append(text, 0, literal);
        appendEncoded(text, literal, encoded);
        return encoded.toString();
    }

    /** Appends the encoding of text, as {@link #encode(String)} makes it, without an intermediate string. */
    public static void encode(String text, StringBuilder out) {
        int literal = literalPrefix(text);
        out.append(text, 0, literal);
        if (literal < text.length()) {
            appendEncoded(text, literal, out);
        }
    }

    /** How many characters at the start of text stay literal. */
    private static int literalPrefix(String text) {
        int literal = 0;
        while (literal < text.length() && isLiteral(text.charAt(literal))) {
            literal++;
        }
        return literal;
    }

    private static void appendEncoded(String text, int from, StringBuilder out) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                for (byte b : text.substring(i).getBytes(StandardCharsets.UTF_8)) {
                    appendByte(b & 0xFF, out);
                }
                return;
            }
            appendByte(c, out);
        }
    }

    private static void appendByte(int c, StringBuilder out) {
        if (c < 0x80 && isLiteral((char) c)) {
            out.append((char) c);
        }
        else {
            out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
        }
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
