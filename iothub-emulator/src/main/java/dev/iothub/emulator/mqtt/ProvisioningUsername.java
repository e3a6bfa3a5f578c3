package dev.iothub.emulator.mqtt;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The username of a Device Provisioning Service CONNECT: {@code {idScope}/registrations/{registrationId}/api-version=...}
 * (the documented form), optionally followed by {@code &ClientVersion=...} and more parameters (the Java SDK's form).
 * The hub's usernames never match it: theirs put a {@code ?} before {@code api-version}.
 *
 * @param idScope the ID scope
 * @param registrationId the registration id
 */
record ProvisioningUsername(String idScope, String registrationId) {

    private static final Pattern FORM = Pattern.compile("([^/]+)/registrations/([^/]+)/api-version=[^&/]+(&[^/]*)?");

    /** Parses a username, or returns empty when it is not a provisioning username. */
    static Optional<ProvisioningUsername> parse(@Nullable String username) {
        if (username == null) {
            return Optional.empty();
        }
        Matcher matcher = FORM.matcher(username);
        return matcher.matches() ? Optional.of(new ProvisioningUsername(matcher.group(1), matcher.group(2)))
                : Optional.empty();
    }
}
