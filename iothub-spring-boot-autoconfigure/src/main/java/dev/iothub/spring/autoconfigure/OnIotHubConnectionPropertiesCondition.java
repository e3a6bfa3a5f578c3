package dev.iothub.spring.autoconfigure;

import java.util.Optional;
import java.util.stream.Stream;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code iothub.connection-string} or {@code iothub.host-name} has text. A blank value, such as an
 * unset {@code ${IOTHUB_DEVICE_CONNECTION_STRING:}}, counts as not configured.
 */
public class OnIotHubConnectionPropertiesCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return configuredProperty(context.getEnvironment()).map((name) -> ConditionOutcome.match(name + " is set"))
            .orElseGet(() -> ConditionOutcome.noMatch("neither iothub.connection-string nor iothub.host-name is set"));
    }

    /** The first of {@code iothub.connection-string} and {@code iothub.host-name} that has text, if any. */
    public static Optional<String> configuredProperty(Environment environment) {
        return Stream.of("iothub.connection-string", "iothub.host-name")
            .filter((name) -> StringUtils.hasText(environment.getProperty(name)))
            .findFirst();
    }

}
