package dev.iothub.spring.autoconfigure.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iothub.spring.actuate.IotHubEndpoint;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IotHubEndpointAutoConfiguration}.
 */
class IotHubEndpointAutoConfigurationTests {

    private static final String CONNECTION_STRING = "HostName=localhost;DeviceId=dev1;SharedAccessKey="
            + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class,
                IotHubEndpointAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.port=1",
                "iothub.connect-timeout=2s");

    @Test
    void whenNotExposedThenNoEndpoint() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
            .hasSingleBean(IotHubClientManager.class)
            .doesNotHaveBean(IotHubEndpoint.class));
    }

    @Test
    void whenExposedOverTheWebThenTheEndpointShowsTheIdentityWithoutTheKey() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=iothub").run((context) -> {
            IotHubEndpoint.IotHubDescriptor descriptor = context.getBean(IotHubEndpoint.class).iothub();
            assertThat(descriptor.identity().deviceId()).isEqualTo("dev1");
            assertThat(descriptor.endpoint()).isEqualTo("localhost:1");
            assertThat(descriptor.proxy()).isNull();
            assertThat(descriptor.handlers()).isNull();
            assertThat(descriptor.toString()).doesNotContain("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        });
    }

    @Test
    void whenActuatorIsAbsentThenNoEndpoint() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=iothub")
            .withClassLoader(new FilteredClassLoader(Endpoint.class))
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(IotHubEndpoint.class));
    }

}
