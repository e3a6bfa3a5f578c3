package dev.iothub.spring.testcontainers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Enables tests when Testcontainers finds a container runtime; otherwise skips them, or fails them when the
 * environment variable {@value #REQUIRE_ENVIRONMENT} is {@code true} (CI must run them, not skip them).
 */
class ContainerRuntimeCondition implements ExecutionCondition {

    /** The switch that turns a missing container runtime from a skip into a failure. */
    static final String REQUIRE_ENVIRONMENT = "IOTHUB_TESTS_REQUIRE_ENVIRONMENT";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("a container runtime is available");
        }
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ENVIRONMENT))) {
            throw new IllegalStateException("No container runtime is available, and " + REQUIRE_ENVIRONMENT
                    + "=true requires one: source .ci/prepare-container-runtime (or start Docker) first");
        }
        return ConditionEvaluationResult.disabled("no container runtime is available (set DOCKER_HOST, or source "
                + ".ci/prepare-container-runtime)");
    }
}
