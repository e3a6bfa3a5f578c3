package dev.iothub.spring.autoconfigure;

import java.time.Duration;
import java.time.Instant;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.protocol.SasToken;
import dev.iothub.spring.autoconfigure.emulator.IotHubEmulatorAutoConfiguration;
import dev.iothub.spring.autoconfigure.health.IotHubHealthContributorAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HttpProxy;
import dev.iothub.spring.connection.network.HubSocketFactory;
import dev.iothub.spring.health.IotHubHealthIndicator;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import dev.iothub.spring.twin.TwinReconnectionFlow;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.integration.channel.DirectChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IotHubAutoConfiguration} and {@link IotHubHealthContributorAutoConfiguration}.
 */
class IotHubAutoConfigurationTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final String CONNECTION_STRING = "HostName=localhost;DeviceId=dev1;SharedAccessKey=" + KEY;

    // Port 1 on loopback refuses at once, so contexts start without a hub and without waiting.
    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class,
                IotHubHealthContributorAutoConfiguration.class, SslAutoConfiguration.class))
        .withPropertyValues("iothub.port=1", "iothub.connect-timeout=2s");

    @Nested
    class WithoutConnectionSettings {

        @Test
        void whenNoConnectionStringThenNoConnectionBeans() {
            IotHubAutoConfigurationTests.this.contextRunner.run((context) -> assertThat(context)
                .hasNotFailed()
                .doesNotHaveBean(IotHubConnectionDetails.class)
                .doesNotHaveBean(IotHubClientManager.class)
                .doesNotHaveBean(IotHubTelemetryTemplate.class)
                .doesNotHaveBean(IotHubHealthIndicator.class));
        }

        @Test
        void whenPahoIsMissingThenTheAutoConfigurationBacksOff() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withClassLoader(new FilteredClassLoader(MqttAsyncClient.class))
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
                .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(IotHubClientManager.class));
        }

    }

    @Nested
    class WithConnectionString {

        @Test
        void whenConnectionStringIsSetThenTheDeviceApiIsAutoConfigured() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
                .run((context) -> {
                    assertThat(context).hasSingleBean(PropertiesIotHubConnectionDetails.class)
                        .hasSingleBean(IotHubClientManager.class)
                        .hasSingleBean(IotHubInboundRouter.class)
                        .hasSingleBean(IotHubTelemetryTemplate.class)
                        .hasSingleBean(IotHubTwinTemplate.class)
                        .hasSingleBean(TwinReconnectionFlow.class)
                        .hasSingleBean(IotHubHealthIndicator.class)
                        .hasBean(IotHubAutoConfiguration.TELEMETRY_CHANNEL_BEAN_NAME);
                    assertThat(context.getBean(IotHubAutoConfiguration.TELEMETRY_CHANNEL_BEAN_NAME))
                        .isInstanceOf(DirectChannel.class);
                    IotHubClientManager manager = context.getBean(IotHubClientManager.class);
                    assertThat(manager.getClientId()).isEqualTo("dev1");
                    assertThat(manager.getUrl()).isEqualTo("tcp://localhost:1");
                    assertThat(manager.getConnectionInfo().getUserName())
                        .startsWith("localhost/dev1/?api-version=2021-04-12");
                    assertThat(manager.getConnectionInfo().isCleanSession()).isFalse();
                    assertThat(manager.getConnectionInfo().getKeepAliveInterval()).isEqualTo(230);
                    assertThat(manager.getConnectionInfo().isAutomaticReconnect()).isFalse();
                });
        }

        @Test
        void whenSeparatePropertiesAreSetThenTheyOverrideTheConnectionString() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.device-id=dev2",
                        "iothub.module-id=mod1", "iothub.model-id=dtmi:com:example:Thermostat;1")
                .run((context) -> {
                    IotHubClientManager manager = context.getBean(IotHubClientManager.class);
                    assertThat(manager.getClientId()).isEqualTo("dev2/mod1");
                    assertThat(manager.getConnectionInfo().getUserName()).startsWith(
                            "localhost/dev2/mod1/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1");
                });
        }

        @Test
        void whenOnlySeparatePropertiesAreSetThenTheDeviceConnects() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.host-name=localhost", "iothub.device-id=dev3",
                        "iothub.shared-access-key=" + KEY)
                .run((context) -> assertThat(context.getBean(IotHubConnectionDetails.class).getDeviceId())
                    .isEqualTo("dev3"));
        }

        @Test
        void whenHealthIsDisabledThenThereIsNoIndicator() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING,
                        "management.health.iothub.enabled=false")
                .run((context) -> assertThat(context).hasSingleBean(IotHubClientManager.class)
                    .doesNotHaveBean(IotHubHealthIndicator.class));
        }

        @Test
        void whenHealthIsNotOnTheClasspathThenThereIsNoIndicator() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
                .run((context) -> assertThat(context).hasSingleBean(IotHubClientManager.class)
                    .doesNotHaveBean(IotHubHealthIndicator.class));
        }

    }

    @Nested
    class DurationProperties {

        @Test
        void whenKeepAliveHasNoUnitThenItIsInSeconds() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.keep-alive=120")
                .run((context) -> assertThat(
                        context.getBean(IotHubClientManager.class).getConnectionInfo().getKeepAliveInterval())
                    .isEqualTo(120));
        }

        @Test
        void whenDurationsHaveNoUnitThenTheyAreInSeconds() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.connect-timeout=5",
                        "iothub.operation-timeout=45", "iothub.shutdown-timeout=3", "iothub.sas.time-to-live=600",
                        "iothub.publish.send-timeout=7", "iothub.reconnect.initial-delay=2",
                        "iothub.reconnect.max-delay=90")
                .run((context) -> {
                    IotHubClientManager manager = context.getBean(IotHubClientManager.class);
                    IotHubConnectionSettings settings = manager.getSettings();
                    assertThat(manager.getConnectionInfo().getConnectionTimeout()).isEqualTo(5);
                    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(settings.operationTimeout()).isEqualTo(Duration.ofSeconds(45));
                    assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(settings.sasTimeToLive()).isEqualTo(Duration.ofSeconds(600));
                    assertThat(settings.sendTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(settings.backoff().initialDelay()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(settings.backoff().maxDelay()).isEqualTo(Duration.ofSeconds(90));
                });
        }

        @Test
        void whenALocalTimeoutHasAnExplicitSubSecondUnitThenItIsKept() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.operation-timeout=500ms",
                        "iothub.reconnect.initial-delay=250ms")
                .run((context) -> {
                    IotHubConnectionSettings settings = context.getBean(IotHubClientManager.class).getSettings();
                    assertThat(settings.operationTimeout()).isEqualTo(Duration.ofMillis(500));
                    assertThat(settings.backoff().initialDelay()).isEqualTo(Duration.ofMillis(250));
                });
        }

        @Test
        void whenKeepAliveIsBelowOneSecondThenStartupFailsNamingTheProperty() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.keep-alive=500ms")
                .run((context) -> {
                    FailureAnalysis analysis = analyze(context);
                    assertThat(analysis.getDescription()).contains("'iothub.keep-alive'").contains("at least 1 s");
                    assertThat(analysis.getAction()).contains("iothub.keep-alive").contains("without a unit");
                });
        }

        @Test
        void whenKeepAliveHasAFractionOfASecondThenStartupFailsInsteadOfTruncatingIt() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.keep-alive=1500ms")
                .run((context) -> assertThat(analyze(context).getDescription()).contains("'iothub.keep-alive'")
                    .contains("whole number of seconds"));
        }

        @Test
        void whenConnectTimeoutIsBelowOneSecondThenStartupFailsNamingTheProperty() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.connect-timeout=999ms")
                .run((context) -> assertThat(analyze(context).getDescription()).contains("'iothub.connect-timeout'")
                    .contains("at least 1 s"));
        }

        private FailureAnalysis analyze(AssertableApplicationContext context) {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new IotHubConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            return analysis;
        }

    }

    @Nested
    class UserDefinedBeans {

        @Test
        void whenUserDefinesConnectionDetailsThenThePropertiesBackOff() {
            IotHubAutoConfigurationTests.this.contextRunner.withUserConfiguration(ConnectionDetailsConfiguration.class)
                .run((context) -> {
                    assertThat(context).hasSingleBean(IotHubConnectionDetails.class)
                        .doesNotHaveBean(PropertiesIotHubConnectionDetails.class)
                        .hasSingleBean(IotHubClientManager.class);
                    assertThat(context.getBean(IotHubClientManager.class).getClientId()).isEqualTo("custom");
                });
        }

        @Test
        void whenUserDefinesTheTelemetryTemplateThenTheAutoConfiguredOneBacksOff() {
            IotHubAutoConfigurationTests.this.contextRunner.withUserConfiguration(TelemetryConfiguration.class)
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING)
                .run((context) -> assertThat(context).hasSingleBean(IotHubTelemetryTemplate.class)
                    .hasBean("myTelemetry"));
        }

    }

    @Nested
    class TransportAndProxy {

        private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IotHubAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.connect-timeout=2s");

        @Test
        void whenNothingIsSetThenMqttGoesToPort8883WithoutAProxy() {
            this.runner.run((context) -> {
                IotHubConnectionSettings settings = context.getBean(IotHubClientManager.class).getSettings();
                assertThat(settings.transport()).isEqualTo(IotHubTransport.MQTT);
                assertThat(settings.port()).isEqualTo(8883);
                assertThat(settings.proxy()).isNull();
                assertThat(context.getBean(IotHubClientManager.class).getUrl()).isEqualTo("tcp://localhost:8883");
                assertThat(context.getBean(IotHubClientManager.class).getConnectionInfo().getSocketFactory())
                    .isInstanceOf(HubSocketFactory.class);
            });
        }

        @Test
        void whenTheTransportIsMqttWsThenTheWebSocketEndpointOnPort443IsUsed() {
            this.runner.withPropertyValues("iothub.transport=mqtt-ws").run((context) -> {
                IotHubClientManager manager = context.getBean(IotHubClientManager.class);
                assertThat(manager.getSettings().transport()).isEqualTo(IotHubTransport.MQTT_WS);
                assertThat(manager.getUrl())
                    .isEqualTo("ws://localhost:443/$iothub/websocket?iothub-no-client-cert=true");
            });
        }

        @Test
        void whenAPortIsSetThenItWinsOverTheTransportsPort() {
            this.runner.withPropertyValues("iothub.transport=mqtt-ws", "iothub.port=1")
                .run((context) -> assertThat(context.getBean(IotHubClientManager.class).getUrl())
                    .isEqualTo("ws://localhost:1/$iothub/websocket?iothub-no-client-cert=true"));
        }

        @Test
        void whenAProxyIsSetThenTheSocketsTunnelThroughItAndNothingShowsThePassword() {
            this.runner.withPropertyValues("iothub.port=1", "iothub.proxy.host=127.0.0.1", "iothub.proxy.port=1",
                    "iothub.proxy.username=device", "iothub.proxy.password=s3cret")
                .run((context) -> {
                    IotHubClientManager manager = context.getBean(IotHubClientManager.class);
                    assertThat(manager.getSettings().proxy())
                        .isEqualTo(new HttpProxy("127.0.0.1", 1, "device", "s3cret"));
                    assertThat(((HubSocketFactory) manager.getConnectionInfo().getSocketFactory()).getProxy())
                        .isEqualTo(manager.getSettings().proxy());
                    assertThat(manager.getSettings().toString()).contains("127.0.0.1:1").doesNotContain("s3cret");
                    assertThat(context.getBean(IotHubProperties.class).getProxy().toString())
                        .doesNotContain("s3cret");
                    assertThat(manager.getStatus().toString()).doesNotContain("s3cret");
                    assertThat(manager.getStatus().lastError()).contains("HTTP proxy 127.0.0.1:1")
                        .doesNotContain("s3cret");
                });
        }

        @Test
        void whenTheProxyRefersToUnsetJvmProxySettingsThenThereIsNoProxy() {
            this.runner.withPropertyValues("iothub.port=1", "iothub.proxy.host=${iothub.test.unset.proxyHost:}",
                    "iothub.proxy.port=${iothub.test.unset.proxyPort:}")
                .run((context) -> assertThat(context.getBean(IotHubClientManager.class).getSettings().proxy())
                    .isNull());
        }

        @Test
        void whenConnectionDetailsOnlyImplementTheOldPortMethodThenMqttStillUsesIt() {
            this.runner.withUserConfiguration(ConnectionDetailsConfiguration.class)
                .run((context) -> assertThat(context.getBean(IotHubClientManager.class).getUrl())
                    .isEqualTo("tcp://localhost:1"));
        }

    }

    @Nested
    class InvalidConfiguration {

        @Test
        void whenAProxyPortIsSetWithoutAHostThenStartupFailsNamingTheHost() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.proxy.port=3128",
                    "iothub.proxy.host", "iothub.proxy.port is set, but there is no proxy host");
        }

        @Test
        void whenAProxyHostHasNoPortThenStartupFailsNamingThePort() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.proxy.host=proxy.example",
                    "iothub.proxy.port", "No port for the proxy proxy.example");
        }

        @Test
        void whenTheProxyPortIsOutOfRangeThenStartupFails() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.proxy.host=proxy.example",
                    "iothub.proxy.port=70000", "iothub.proxy.port", "must be 1 to 65535");
        }

        @Test
        void whenAProxyUserHasNoPasswordThenStartupFails() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.proxy.host=proxy.example",
                    "iothub.proxy.port=3128", "iothub.proxy.username=device", "iothub.proxy.password",
                    "there is no password");
        }

        @Test
        void whenAProxyPasswordHasNoUserThenStartupFailsWithoutPrintingIt() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.proxy.host=proxy.example",
                    "iothub.proxy.port=3128", "iothub.proxy.password=secret", "iothub.proxy.username",
                    "there is no username");
        }

        @Test
        void whenTheProxyHostIsAUrlThenStartupFailsWithoutPrintingItsPassword() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING,
                    "iothub.proxy.host=http://device:secret@proxy.example:8080", "iothub.proxy.host",
                    "is a URL, not a host name");
        }

        @Test
        void whenTheTransportIsUnknownThenStartupFails() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withPropertyValues("iothub.connection-string=" + CONNECTION_STRING, "iothub.transport=amqp")
                .run((context) -> assertThat(context).hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("amqp"));
        }

        @Test
        void whenConnectionStringHasNoDeviceIdThenStartupFailsNamingTheProperty() {
            assertFailure("iothub.connection-string=HostName=localhost;SharedAccessKey=" + KEY,
                    "iothub.connection-string", "no DeviceId");
        }

        @Test
        void whenKeyIsNotBase64ThenStartupFailsWithoutPrintingIt() {
            assertFailure("iothub.connection-string=HostName=localhost;DeviceId=d;SharedAccessKey=not*base64!secret",
                    "iothub.connection-string", "not valid Base64");
        }

        @Test
        void whenSeparateKeyIsNotBase64ThenTheFailureNamesThatProperty() {
            assertFailure("iothub.host-name=localhost", "iothub.device-id=d",
                    "iothub.shared-access-key=not*base64!secret", "iothub.shared-access-key", "not valid Base64");
        }

        @Test
        void whenNoCredentialIsGivenThenTheFailureSaysWhichPropertyToSet() {
            assertFailure("iothub.host-name=localhost", "iothub.device-id=d", "iothub.shared-access-key",
                    "No value for a credential");
        }

        @Test
        void whenTheSslBundleDoesNotExistThenTheFailureNamesIt() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.ssl.bundle=missing",
                    "iothub.ssl.bundle", "no SSL bundle named 'missing'");
        }

        @Test
        void whenKeepAliveExceedsTheHubLimitThenStartupFails() {
            assertFailure("iothub.connection-string=" + CONNECTION_STRING, "iothub.keep-alive=30m",
                    "iothub.keep-alive", "1177");
        }

        @Test
        void whenThePreBuiltTokenHasExpiredThenStartupFailsWithoutPrintingIt() {
            String token = SasToken.create("localhost", "d", null, KEY, Instant.now().minusSeconds(60)).text();
            assertFailure("iothub.connection-string=HostName=localhost;DeviceId=d;SharedAccessSignature=" + token,
                    "iothub.connection-string", "expired");
        }

        @Test
        void whenTheConnectionStringRefersToAnUnsetVariableAndThereIsNoEmulatorThenStartupFailsNamingIt() {
            IotHubAutoConfigurationTests.this.contextRunner
                .withConfiguration(AutoConfigurations.of(IotHubEmulatorAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(IotHubEmulator.class))
                .withPropertyValues("iothub.connection-string=${IOTHUB_TEST_UNSET_CONNECTION_STRING}")
                .run((context) -> {
                    assertFailureAnalysis(context, "iothub.connection-string",
                            "${IOTHUB_TEST_UNSET_CONNECTION_STRING}");
                    FailureAnalysis analysis = new IotHubConfigurationFailureAnalyzer()
                        .analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("not set");
                    assertThat(analysis.getAction()).contains("IOTHUB_TEST_UNSET_CONNECTION_STRING")
                        .contains("iothub-emulator");
                });
        }

        @Test
        void whenTheSeparateKeyRefersToAnUnsetVariableThenStartupFailsNamingIt() {
            assertFailure("iothub.host-name=localhost", "iothub.device-id=d",
                    "iothub.shared-access-key=${IOTHUB_TEST_UNSET_KEY}", "iothub.shared-access-key",
                    "${IOTHUB_TEST_UNSET_KEY}");
        }

        @Test
        void whenSpringBootStartsThenItFindsTheFailureAnalyzer() {
            assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((message, failure) -> {
                })))
                .hasAtLeastOneElementOfType(IotHubConfigurationFailureAnalyzer.class);
        }

        private void assertFailure(String... propertiesThenPropertyThenProblem) {
            int count = propertiesThenPropertyThenProblem.length;
            String property = propertiesThenPropertyThenProblem[count - 2];
            String problem = propertiesThenPropertyThenProblem[count - 1];
            String[] properties = java.util.Arrays.copyOf(propertiesThenPropertyThenProblem, count - 2);
            IotHubAutoConfigurationTests.this.contextRunner.withPropertyValues(properties)
                .run((context) -> assertFailureAnalysis(context, property, problem));
        }

        private void assertFailureAnalysis(AssertableApplicationContext context, String property, String problem) {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new IotHubConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("'" + property + "'").contains(problem)
                .doesNotContain(KEY).doesNotContain("secret").doesNotContain("sig=");
            assertThat(analysis.getAction()).isNotBlank().doesNotContain(KEY).doesNotContain("secret");
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class ConnectionDetailsConfiguration {

        @Bean
        IotHubConnectionDetails customConnectionDetails() {
            return new IotHubConnectionDetails() {

                @Override
                public String getHostName() {
                    return "localhost";
                }

                @Override
                public String getDeviceId() {
                    return "custom";
                }

                @Override
                public String getSharedAccessKey() {
                    return KEY;
                }

                @Override
                public int getPort() {
                    return 1;
                }

            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class TelemetryConfiguration {

        @Bean
        IotHubTelemetryTemplate myTelemetry(IotHubClientManager clientManager) {
            return new IotHubTelemetryTemplate(clientManager, new tools.jackson.databind.json.JsonMapper());
        }

    }

}
