package dev.iothub.spring.autoconfigure;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Finds a placeholder that Spring left in a bound value because nothing resolves it, such as
 * {@code ${IOTHUB_DEVICE_CONNECTION_STRING}} while that variable is not set. The binder keeps such placeholders as
 * text instead of failing; the environment's {@code getProperty} throws on them.
 */
final class UnresolvedPlaceholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^${}:]+)(?::[^${}]*)?}");

    private UnresolvedPlaceholders() {
    }

    /** The name in the first placeholder left in the value, for example {@code IOTHUB_DEVICE_CONNECTION_STRING}. */
    static Optional<String> firstName(@Nullable String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher matcher = PLACEHOLDER.matcher(value);
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

}
