package dev.iothub.spring.autoconfigure.emulator;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.autoconfigure.IotHubConfigurationException;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;
import dev.iothub.spring.autoconfigure.IotHubHandlerAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IotHubEmulatorAutoConfigurationTests {

    private static final String CONNECTION_STRING = "HostName=hub.example.com;DeviceId=dev1;"
            + "SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubEmulatorAutoConfiguration.class, IotHubAutoConfiguration.class))
        .withPropertyValues("iothub.emulator.service-port=-1");

    @Test
    void whenNothingIsConfiguredThenTheAppConnectsToAnEmbeddedEmulator() {
        this.contextRunner.withPropertyValues("spring.application.name=thermostat").run((context) -> {
            assertThat(context).hasSingleBean(IotHubEmulator.class)
                .hasSingleBean(EmulatorIotHubConnectionDetails.class)
                .hasSingleBean(IotHubClientManager.class);
            IotHubEmulator emulator = context.getBean(IotHubEmulator.class);
            assertThat(emulator.device("thermostat").deviceId()).isEqualTo("thermostat");
            await().atMost(Duration.ofSeconds(20)).until(() -> emulator.isConnected("thermostat"));
        });
    }

    @Test
    void whenTheTransportIsMqttWsThenTheAppConnectsToTheEmulatorsWebSocketEndpoint() {
        this.contextRunner.withPropertyValues("spring.application.name=thermostat", "iothub.transport=mqtt-ws")
            .run((context) -> {
                IotHubEmulator emulator = context.getBean(IotHubEmulator.class);
                assertThat(context.getBean(IotHubClientManager.class).getUrl())
                    .isEqualTo("ws://localhost:" + emulator.webSocketPort() + "/$iothub/websocket?iothub-no-client-cert=true");
                await().atMost(Duration.ofSeconds(20)).until(() -> emulator.isConnected("thermostat"));
                assertThat(emulator.connectedVia("thermostat")).contains(DeviceEndpoint.MQTT_WEBSOCKET);
            });
    }

    @Test
    void whenTheEmulatorsWebSocketEndpointIsOffThenMqttWsFailsStartupNamingTheProperty() {
        this.contextRunner.withPropertyValues("iothub.transport=mqtt-ws", "iothub.emulator.web-socket-port=-1")
            .run((context) -> assertThat(context).hasFailed()
                .getFailure()
                .rootCause()
                .isInstanceOf(IotHubConfigurationException.class)
                .hasMessageContaining("iothub.emulator.web-socket-port"));
    }

    @Test
    void whenNoApplicationNameIsSetThenTheDeviceIsDevice1() {
        this.contextRunner.run((context) -> assertThat(context.getBean(IotHubConnectionDetails.class).getDeviceId())
            .isEqualTo("device-1"));
    }

    @Test
    void whenAConnectionStringIsSetThenNoEmulatorStarts() {
        this.contextRunner.withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
            .run((context) -> assertThat(context).doesNotHaveBean(IotHubEmulator.class)
                .doesNotHaveBean(EmulatorIotHubConnectionDetails.class)
                .hasSingleBean(IotHubClientManager.class));
    }

    @Test
    void whenTheConnectionStringIsBlankThenTheEmulatorIsUsed() {
        this.contextRunner.withPropertyValues("iothub.connection-string= ")
            .run((context) -> assertThat(context).hasSingleBean(IotHubEmulator.class)
                .hasSingleBean(IotHubClientManager.class));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void whenTheConnectionStringRefersToAnUnsetVariableThenTheEmulatorIsUsed(CapturedOutput output) {
        this.contextRunner
            .withPropertyValues("iothub.connection-string=${IOTHUB_TEST_UNSET_CONNECTION_STRING}",
                    "spring.application.name=thermostat")
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(IotHubEmulator.class);
                await().atMost(Duration.ofSeconds(20))
                    .until(() -> context.getBean(IotHubEmulator.class).isConnected("thermostat"));
                assertThat(output).contains("Connecting as device 'thermostat' to an embedded IoT Hub emulator")
                    .contains("No IoT Hub is configured (iothub.connection-string refers to "
                        + "${IOTHUB_TEST_UNSET_CONNECTION_STRING}, which is not set); set iothub.connection-string");
            });
    }

    @Test
    void whenTheEmulatorIsDisabledThenNothingConnects() {
        this.contextRunner.withPropertyValues("iothub.emulator.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(IotHubEmulator.class)
                .doesNotHaveBean(IotHubClientManager.class));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void whenTheEmulatorIsForcedThenItReplacesAConfiguredHub(CapturedOutput output) {
        this.contextRunner
            .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.emulator.enabled=true",
                    "iothub.emulator.device-id=test-device")
            .run((context) -> {
                assertThat(context).hasSingleBean(IotHubEmulator.class);
                assertThat(output).contains("Connecting as device 'test-device' to an embedded IoT Hub emulator")
                    .contains("iothub.emulator.enabled is true, so the hub configured by iothub.connection-string "
                            + "is not used")
                    .doesNotContain("No IoT Hub is configured");
                assertThat(context.getBean(IotHubConnectionDetails.class).getHostName()).isEqualTo("localhost");
                await().atMost(Duration.ofSeconds(20))
                    .until(() -> context.getBean(IotHubEmulator.class).isConnected("test-device"));
            });
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void whenTheAppHasDirectMethodsThenTheStartupHintInvokesOneOfThem(CapturedOutput output) {
        this.contextRunner.withConfiguration(AutoConfigurations.of(IotHubHandlerAutoConfiguration.class))
            .withUserConfiguration(ThermostatMethods.class)
            .withPropertyValues("spring.application.name=thermostat", "iothub.emulator.service-port=0")
            .run((context) -> {
                IotHubEmulator emulator = context.getBean(IotHubEmulator.class);
                assertThat(output).contains("the application answers the direct method(s) getMaxMinReport, setPoint;")
                    .contains("curl -X POST " + emulator.serviceUri() + "/twins/thermostat/methods")
                    .contains("{\"methodName\":\"getMaxMinReport\",")
                    .doesNotContain("reboot");
            });
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void whenTheAppHasNoDirectMethodThenTheStartupHintNamesNone(CapturedOutput output) {
        this.contextRunner.withConfiguration(AutoConfigurations.of(IotHubHandlerAutoConfiguration.class))
            .withPropertyValues("spring.application.name=thermostat", "iothub.emulator.service-port=0")
            .run((context) -> {
                IotHubEmulator emulator = context.getBean(IotHubEmulator.class);
                assertThat(output).contains("Emulator REST API: " + emulator.serviceUri() + ".")
                    .doesNotContain("methodName")
                    .doesNotContain("curl");
            });
    }

    @Test
    void whenTheUserDefinesConnectionDetailsThenNoEmulatorStarts() {
        this.contextRunner.withUserConfiguration(UserConnectionDetails.class)
            .run((context) -> assertThat(context).doesNotHaveBean(IotHubEmulator.class)
                .hasSingleBean(IotHubConnectionDetails.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class ThermostatMethods {

        @Bean
        Object thermostatMethods() {
            return new Object() {

                @DirectMethod("setPoint")
                String setPoint() {
                    return "{}";
                }

                @DirectMethod("getMaxMinReport")
                String getMaxMinReport() {
                    return "{}";
                }
            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserConnectionDetails {

        @Bean
        IotHubConnectionDetails userDetails() {
            return new IotHubConnectionDetails() {

                @Override
                public String getHostName() {
                    return "hub.example.com";
                }

                @Override
                public String getDeviceId() {
                    return "dev1";
                }

                @Override
                public String getSharedAccessKey() {
                    return "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
                }
            };
        }

    }

}
