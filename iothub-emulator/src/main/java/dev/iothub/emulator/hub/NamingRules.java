package dev.iothub.emulator.hub;

import dev.iothub.emulator.IotHubServiceException;
import org.jspecify.annotations.Nullable;

/**
 * IoT Hub's rules for the names a caller chooses: device and module ids, and direct-method names. A name that breaks
 * them is refused with {@code 400004} before it can reach a topic, where it would change the topic's meaning or make
 * the packet malformed.
 */
final class NamingRules {

    /** IoT Hub's limit for a device or module id. */
    static final int MAX_ID_LENGTH = 128;

    /** The emulator's limit for a method name (IoT Hub documents none). */
    static final int MAX_METHOD_NAME_LENGTH = 128;

    private static final String ID_SPECIALS = "-.%_*?!(),:=@$'";

    /** Excluded from method names by IoT Hub's documentation (SP and HT are excluded as non-printable). */
    private static final String METHOD_NAME_SEPARATORS = "$()<>@,;:\\\"/[]?={}";

    /** MQTT wildcards cannot appear in a topic name. */
    private static final String MQTT_WILDCARDS = "#+";

    private NamingRules() {
    }

    /**
     * Checks a device or module id: 1 to 128 ASCII letters, digits or {@code - . % _ * ? ! ( ) , : = @ $ '}.
     *
     * @param kind {@code "device"} or {@code "module"}, for the message
     * @throws IotHubServiceException {@code 400004} when the id breaks the rule
     */
    static void checkIdentityId(String kind, @Nullable String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH
                || !id.chars().allMatch((c) -> isAsciiLetterOrDigit(c) || ID_SPECIALS.indexOf(c) >= 0)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, "A " + kind
                    + " id must be 1 to " + MAX_ID_LENGTH + " ASCII letters, digits or any of " + ID_SPECIALS
                    + ", not " + quoted(id));
        }
    }

    /**
     * Checks a direct-method name: 1 to 128 printable US-ASCII characters other than
     * {@code $ ( ) < > @ , ; : \ " / [ ] ? = { }} and the MQTT wildcards {@code #} and {@code +}.
     *
     * @throws IotHubServiceException {@code 400004} when the name breaks the rule
     */
    static void checkMethodName(@Nullable String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_METHOD_NAME_LENGTH
                || !name.chars().allMatch(NamingRules::isMethodNameCharacter)) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, "A method name must be 1 to "
                    + MAX_METHOD_NAME_LENGTH + " printable ASCII characters other than " + METHOD_NAME_SEPARATORS
                    + " and " + MQTT_WILDCARDS + ", not " + quoted(name));
        }
    }

    private static boolean isMethodNameCharacter(int c) {
        return c > ' ' && c < 0x7F && METHOD_NAME_SEPARATORS.indexOf(c) < 0 && MQTT_WILDCARDS.indexOf(c) < 0;
    }

    private static boolean isAsciiLetterOrDigit(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** The name for an error message: cut short and with control characters escaped, so it cannot forge log lines. */
    private static String quoted(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("'");
        text.codePoints().limit(MAX_ID_LENGTH).forEach((c) -> {
            if (c < ' ' || c == 0x7F) {
                quoted.append(String.format("\\u%04x", c));
            }
            else {
                quoted.appendCodePoint(c);
            }
        });
        return quoted.append((text.length() > MAX_ID_LENGTH) ? "...' (" + text.length() + " characters)" : "'")
            .toString();
    }
}
