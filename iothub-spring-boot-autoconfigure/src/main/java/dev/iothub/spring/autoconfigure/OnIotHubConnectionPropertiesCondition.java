package dev.iothub.spring.autoconfigure;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code iothub.connection-string} or {@code iothub.host-name} is set: to text, or to a placeholder
 * that cannot be resolved (such as {@code ${IOTHUB_DEVICE_CONNECTION_STRING}} with the variable unset), which the
 * connection details then report as a configuration failure. A blank value, such as an unset
 * {@code ${IOTHUB_DEVICE_CONNECTION_STRING:}}, counts as not configured.
 */
public class OnIotHubConnectionPropertiesCondition extends SpringBootCondition {

    private static final List<String> PROPERTIES = List.of("iothub.connection-string", "iothub.host-name");

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment environment = context.getEnvironment();
        return configuredProperty(environment).map((name) -> ConditionOutcome.match(name + " is set"))
            .or(() -> unresolvedProperty(environment).map(ConditionOutcome::match))
            .orElseGet(() -> ConditionOutcome.noMatch("neither iothub.connection-string nor iothub.host-name is set"));
    }

    /**
     * The first of {@code iothub.connection-string} and {@code iothub.host-name} that has text once its placeholders
     * are resolved, if any. A placeholder that cannot be resolved does not count, and does not throw.
     */
    public static Optional<String> configuredProperty(Environment environment) {
        return PROPERTIES.stream().filter((name) -> {
            String value = boundValue(environment, name);
            return StringUtils.hasText(value) && UnresolvedPlaceholders.firstName(value).isEmpty();
        }).findFirst();
    }

    /**
     * Describes the first of {@code iothub.connection-string} and {@code iothub.host-name} that refers to a
     * placeholder that cannot be resolved, for example "iothub.connection-string refers to
     * ${IOTHUB_DEVICE_CONNECTION_STRING}, which is not set".
     */
    public static Optional<String> unresolvedProperty(Environment environment) {
        return PROPERTIES.stream()
            .flatMap((name) -> UnresolvedPlaceholders.firstName(boundValue(environment, name))
                .map((placeholder) -> name + " refers to ${" + placeholder + "}, which is not set")
                .stream())
            .findFirst();
    }

    private static @Nullable String boundValue(Environment environment, String name) {
        return Binder.get(environment).bind(name, String.class).orElse(null);
    }

}
