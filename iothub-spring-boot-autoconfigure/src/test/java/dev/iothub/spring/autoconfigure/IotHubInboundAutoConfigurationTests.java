package dev.iothub.spring.autoconfigure;

import java.time.Duration;

import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.inbound.IotHubInboundExecutors;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;

/**
 * Tests for the inbound beans of {@link IotHubAutoConfiguration}: the handler threads and who receives what the
 * hub sends.
 */
class IotHubInboundAutoConfigurationTests {

    private static final String CONNECTION_STRING = "HostName=localhost;DeviceId=dev1;SharedAccessKey="
            + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.port=1",
                "iothub.connect-timeout=2s");

    @Test
    void whenTheContextRunsThenTheHandlerThreadsStartBeforeTheConnectionAndStopAfterIt() {
        this.contextRunner.run((context) -> {
            IotHubInboundExecutors executors = context.getBean(IotHubInboundExecutors.class);
            assertThat(executors.getPhase()).isEqualTo(context.getBean(IotHubClientManager.class).getPhase() - 1);
            assertThat(executors.isRunning()).isTrue();
            String[] managerNames = context.getBeanNamesForType(IotHubClientManager.class);
            assertThat(context.getBeanFactory().getDependenciesForBean("iotHubInboundExecutors"))
                .as("a dependency would be started before the executors and stopped after them")
                .doesNotContain(managerNames);
        });
    }

    @Test
    void whenTheApplicationDefinesTheRouterAndTheConnectionThenTheyAreWiredTogether() {
        this.contextRunner.withUserConfiguration(OwnRouter.class).run((context) -> {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            IotHubInboundRouter router = context.getBean(IotHubInboundRouter.class);
            then(manager).should().setInboundMessageListener(router);
            then(router).should().setTwinResponseListener(context.getBean(IotHubTwinTemplate.class));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRouter {

        @Bean
        IotHubClientManager clientManager() {
            IotHubClientManager manager = mock(IotHubClientManager.class);
            IotHubConnectionSettings settings = mock(IotHubConnectionSettings.class);
            given(settings.operationTimeout()).willReturn(Duration.ofSeconds(30));
            given(manager.getSettings()).willReturn(settings);
            given(manager.getClientId()).willReturn("dev1");
            return manager;
        }

        @Bean
        IotHubInboundRouter router() {
            return mock(IotHubInboundRouter.class);
        }

    }

}
