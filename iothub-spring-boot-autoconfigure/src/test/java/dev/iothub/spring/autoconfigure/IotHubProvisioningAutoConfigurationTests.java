package dev.iothub.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.autoconfigure.emulator.IotHubEmulatorAutoConfiguration;
import dev.iothub.spring.autoconfigure.health.IotHubProvisioningHealthContributorAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HubSocketFactory;
import dev.iothub.spring.event.IotHubProvisionedEvent;
import dev.iothub.spring.health.IotHubProvisioningHealthIndicator;
import dev.iothub.spring.provisioning.AssignmentCache;
import dev.iothub.spring.provisioning.DeviceAssignment;
import dev.iothub.spring.provisioning.DeviceProvisioner;
import dev.iothub.spring.provisioning.EnrollmentGroupKey;
import dev.iothub.spring.provisioning.ProvisioningSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link IotHubProvisioningAutoConfiguration}: which combinations of properties start, and how the others
 * fail. No test here reaches a provisioning service: the valid ones start from a cached assignment.
 */
class IotHubProvisioningAutoConfigurationTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @TempDir
    Path cache;

    // Port 1 on loopback refuses at once, so contexts start without a hub and without waiting.
    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(IotHubProvisioningAutoConfiguration.class,
                    IotHubEmulatorAutoConfiguration.class, IotHubAutoConfiguration.class,
                    IotHubProvisioningHealthContributorAutoConfiguration.class, SslAutoConfiguration.class))
            .withPropertyValues("iothub.port=1", "iothub.connect-timeout=2s", "iothub.dps.timeout=2s",
                    "iothub.dps.global-endpoint=127.0.0.1:1", "iothub.dps.cache-directory=" + this.cache,
                    "iothub.emulator.service-port=-1");
    }

    private void cacheAssignment(String registrationId, DeviceAssignment assignment) {
        ProvisioningSettings settings = new ProvisioningSettings("0ne0001", registrationId, "127.0.0.1", 1,
                IotHubTransport.MQTT, KEY, new HubSocketFactory((SSLSocketFactory) SSLSocketFactory.getDefault(), null),
                null, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2), java.time.Duration.ofHours(1));
        new AssignmentCache(this.cache, settings, new JsonMapper(), Clock.systemUTC()).write(assignment);
    }

    private static FailureAnalysis analysis(AssertableApplicationContext context) {
        Throwable failure = context.getStartupFailure();
        FailureAnalysis analysis = new IotHubConfigurationFailureAnalyzer().analyze(failure);
        return (analysis != null) ? analysis : new IotHubProvisioningFailureAnalyzer().analyze(failure);
    }

    @Nested
    class WhenValid {

        @Test
        void whenNoDpsPropertyThenNoProvisioner() {
            runner().run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DeviceProvisioner.class));
        }

        @Test
        void whenAnAssignmentIsCachedThenTheConnectionUsesItAndTheEmulatorStaysOff() {
            cacheAssignment("dev-1", new DeviceAssignment("hub-a.azure-devices.net", "device-a"));
            runner().withUserConfiguration(ProvisionedEvents.class)
                .withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(IotHubEmulator.class);
                    IotHubConnectionDetails details = context.getBean(IotHubConnectionDetails.class);
                    assertThat(details).isInstanceOf(ProvisionedIotHubConnectionDetails.class);
                    assertThat(details.getHostName()).isEqualTo("hub-a.azure-devices.net");
                    assertThat(details.getDeviceId()).isEqualTo("device-a");
                    assertThat(details.getSharedAccessKey()).isEqualTo(KEY);
                    assertThat(context.getBean(IotHubClientManager.class).getIdentity().deviceId())
                        .isEqualTo("device-a");
                    assertThat(context.getBean(ProvisionedEvents.class).events).singleElement()
                        .satisfies((event) -> {
                            assertThat(event.getHostName()).isEqualTo("hub-a.azure-devices.net");
                            assertThat(event.getDeviceId()).isEqualTo("device-a");
                            assertThat(event.isFromCache()).isTrue();
                        });
                    Health health = context.getBean(IotHubProvisioningHealthIndicator.class).health(true);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("assignedHub", "hub-a.azure-devices.net")
                        .containsEntry("deviceId", "device-a")
                        .containsEntry("fromCache", true)
                        .doesNotContainValue(KEY);
                });
        }

        @Test
        void whenAGroupKeyIsGivenThenTheHubKeyIsDerivedFromItForTheApplicationName() {
            cacheAssignment("sensor-42", new DeviceAssignment("hub-a", "sensor-42"));
            runner()
                .withPropertyValues("spring.application.name=sensor-42", "iothub.dps.id-scope=0ne0001",
                        "iothub.dps.enrollment-group-key=" + KEY)
                .run((context) -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(IotHubConnectionDetails.class).getSharedAccessKey())
                        .isEqualTo(EnrollmentGroupKey.deriveDeviceKey(KEY, "sensor-42"))
                        .isEqualTo("Kkydds92Sqo8uW/MHu0DBFEq1dYYhaDDy2GgVVnVF1s=");
                });
        }

        @Test
        void whenTheModelIdIsSetThenTheRegistrationPayloadCarriesIt() {
            cacheAssignment("dev-1", new DeviceAssignment("hub-a", "dev-1"));
            runner()
                .withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY, "iothub.model-id=dtmi:com:example:Thermostat;1",
                        "iothub.dps.payload={\"site\":\"plant-7\"}")
                .run((context) -> assertThat(context.getBean(DeviceProvisioner.class).getSettings().payload())
                    .hasToString("{\"site\":\"plant-7\",\"modelId\":\"dtmi:com:example:Thermostat;1\"}"));
        }

    }

    @Nested
    class WhenInvalid {

        @Test
        void whenAConnectionStringIsSetTooThenStartupFailsNamingBoth() {
            runner()
                .withPropertyValues("iothub.connection-string=HostName=h;DeviceId=d;SharedAccessKey=" + KEY,
                        "iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(analysis(context).getDescription()).contains("iothub.connection-string",
                            "iothub.dps.* are both set");
                    assertThat(analysis(context).getDescription() + analysis(context).getAction())
                        .doesNotContain(KEY);
                });
        }

        @Test
        void whenBothKeysAreSetThenStartupFails() {
            runner()
                .withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY, "iothub.dps.enrollment-group-key=" + KEY)
                .run((context) -> assertThat(analysis(context).getDescription())
                    .contains("iothub.dps.symmetric-key and iothub.dps.enrollment-group-key are both set")
                    .doesNotContain(KEY));
        }

        @Test
        void whenTheIdScopeIsMissingThenStartupFailsNamingIt() {
            runner().withPropertyValues("iothub.dps.registration-id=dev-1", "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> {
                    assertThat(analysis(context).getDescription()).contains("'iothub.dps.id-scope'", "No ID scope");
                    assertThat(analysis(context).getAction()).contains("Set iothub.dps.id-scope");
                });
        }

        @Test
        void whenThereIsNoCredentialThenStartupFailsListingTheChoices() {
            runner().withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1")
                .run((context) -> assertThat(analysis(context).getAction()).contains("iothub.dps.symmetric-key",
                        "iothub.dps.enrollment-group-key", "iothub.ssl.bundle"));
        }

        @Test
        void whenThereIsNoRegistrationIdThenStartupFails() {
            runner().withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> assertThat(analysis(context).getDescription()).contains("No registration id"));
        }

        @Test
        void whenTheApplicationNameIsNotAValidRegistrationIdThenStartupFailsNamingIt() {
            runner()
                .withPropertyValues("spring.application.name=My Device", "iothub.dps.id-scope=0ne0001",
                        "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> assertThat(analysis(context).getDescription()).contains("spring.application.name",
                        "'My Device' is not valid"));
        }

        @Test
        void whenThePayloadIsNotAJsonObjectThenStartupFails() {
            runner()
                .withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY, "iothub.dps.payload=[1,2]")
                .run((context) -> assertThat(analysis(context).getDescription()).contains("iothub.dps.payload"));
        }

        @Test
        void whenTheServiceCannotBeReachedThenStartupFailsNamingTheEndpoint() {
            runner()
                .withPropertyValues("iothub.dps.id-scope=0ne0001", "iothub.dps.registration-id=dev-1",
                        "iothub.dps.symmetric-key=" + KEY)
                .run((context) -> {
                    assertThat(context).hasFailed();
                    assertThat(analysis(context).getDescription()).contains("Registration 'dev-1'", "127.0.0.1:1");
                    assertThat(analysis(context).getAction()).contains("iothub.dps.global-endpoint");
                });
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class ProvisionedEvents implements ApplicationListener<IotHubProvisionedEvent> {

        final List<IotHubProvisionedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(IotHubProvisionedEvent event) {
            this.events.add(event);
        }

        @Bean
        String unused() {
            return "";
        }

    }

}
