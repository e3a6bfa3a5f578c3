package dev.iothub.spring.testcontainers;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated tests only where a container runtime answers; with {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true}
 * (as CI sets it) a missing runtime fails them instead. Put it before {@code @Testcontainers}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ContainerRuntimeCondition.class)
public @interface RequiresContainerRuntime {

}
