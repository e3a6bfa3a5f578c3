package dev.iothub.spring.testcontainers.service.connection;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The factory is found the way Spring Boot finds {@code @ServiceConnection} factories; checked without a container
 * runtime, so a machine without one still notices a lost registration.
 */
class IotHubEmulatorContainerConnectionDetailsFactoryTests {

    @Test
    void whenSpringBootLoadsConnectionDetailsFactoriesThenTheEmulatorContainersIsAmongThem() {
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation().load(ConnectionDetailsFactory.class))
            .hasAtLeastOneElementOfType(IotHubEmulatorContainerConnectionDetailsFactory.class);
    }
}
