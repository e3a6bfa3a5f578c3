package dev.iothub.spring.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.handler.DuplicateDirectMethodException;
import dev.iothub.spring.handler.IotHubHandlerAnnotationBeanPostProcessor;

import static org.assertj.core.api.Assertions.assertThat;

class IotHubHandlerAutoConfigurationTests {

    private static final String CONNECTION_STRING = "HostName=hub.example.com;DeviceId=dev1;"
            + "SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class, IotHubHandlerAutoConfiguration.class));

    @Test
    void whenTwoHandlersClaimOneMethodNameThenStartupFailsNamingBoth() {
        this.contextRunner.withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
            .withUserConfiguration(DuplicateHandlers.class)
            .run((context) -> {
                assertThat(context).hasFailed();
                Throwable failure = context.getStartupFailure();
                assertThat(failure).isInstanceOf(DuplicateDirectMethodException.class)
                    .hasMessageContaining("'reboot'")
                    .hasMessageContaining("firstDevice.reboot")
                    .hasMessageContaining("secondDevice.restart");
                FailureAnalysis analysis = new DuplicateDirectMethodFailureAnalyzer().analyze(failure);
                assertThat(analysis.getDescription()).contains("firstDevice.reboot", "secondDevice.restart");
                assertThat(analysis.getAction()).contains("unique name");
            });
    }

    @Test
    void whenHandlersAreDisabledThenNoPostProcessorIsRegistered() {
        this.contextRunner.withPropertyValues("iothub.connection-string=" + CONNECTION_STRING,
                "iothub.handlers.enabled=false")
            .withUserConfiguration(DuplicateHandlers.class)
            .run((context) -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(IotHubHandlerAnnotationBeanPostProcessor.class));
    }

    @Test
    void whenNoConnectionIsConfiguredThenHandlersStayIdleWithoutFailing() {
        this.contextRunner.withUserConfiguration(SingleHandler.class)
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(IotHubHandlerAnnotationBeanPostProcessor.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class DuplicateHandlers {

        @Bean
        FirstDevice firstDevice() {
            return new FirstDevice();
        }

        @Bean
        SecondDevice secondDevice() {
            return new SecondDevice();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class SingleHandler {

        @Bean
        FirstDevice firstDevice() {
            return new FirstDevice();
        }

    }

    static class FirstDevice {

        @DirectMethod
        void reboot() {
        }

    }

    static class SecondDevice {

        @DirectMethod("reboot")
        void restart() {
        }

    }

}
