package dev.iothub.spring.integration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iothub.emulator.DeviceCertificate;
import dev.iothub.emulator.EnrollmentGroup;
import dev.iothub.emulator.IndividualEnrollment;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.IotHubProvisionedEvent;
import dev.iothub.spring.health.IotHubHealthIndicator;
import dev.iothub.spring.health.IotHubProvisioningHealthIndicator;
import dev.iothub.spring.provisioning.IotHubProvisioningException;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Applications configured with {@code iothub.dps.*} only provision themselves against the emulator's Device
 * Provisioning Service, over real TLS on loopback, then connect to the assigned hub.
 */
class DeviceProvisioningIntegrationTests {

    private static IotHubEmulator emulator;

    @TempDir
    Path cache;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).dpsIdScope("0ne0000dps1").start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    private ConfigurableApplicationContext run(IotHubTransport transport, String registrationId,
            String... extraProperties) {
        int port = EmulatorApplications.port(emulator, transport);
        List<String> properties = new ArrayList<>(List.of("iothub.dps.id-scope=" + emulator.dpsIdScope(),
                "iothub.dps.registration-id=" + registrationId, "iothub.dps.global-endpoint=localhost:" + port,
                "iothub.dps.cache-directory=" + this.cache, "iothub.dps.timeout=10s",
                "iothub.transport=" + transport.propertyValue(), "iothub.port=" + port, "iothub.ssl.bundle=emulator",
                "spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem(),
                "iothub.connect-timeout=5s", "iothub.shutdown-timeout=2s", "iothub.reconnect.initial-delay=200ms",
                "spring.main.banner-mode=off"));
        properties.addAll(List.of(extraProperties));
        return new SpringApplicationBuilder(EmulatorApplications.DeviceApplication.class, ProvisionedEvents.class)
            .web(WebApplicationType.NONE)
            .properties(properties.toArray(String[]::new))
            .run();
    }

    private ConfigurableApplicationContext runConnected(String registrationId, String... extraProperties) {
        ConfigurableApplicationContext context = run(IotHubTransport.MQTT, registrationId, extraProperties);
        await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(registrationId));
        return context;
    }

    private static List<IotHubProvisionedEvent> provisioned(ConfigurableApplicationContext context) {
        return context.getBean(ProvisionedEvents.class).events;
    }

    @Test
    void firstBootProvisionsAndConnectsThenARestartConnectsFromTheCache() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("first-boot", null);
        try (ConfigurableApplicationContext context = runConnected("first-boot",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey())) {
            assertThat(provisioned(context)).singleElement().satisfies((event) -> {
                assertThat(event.getHostName()).isEqualTo(emulator.hubName());
                assertThat(event.getDeviceId()).isEqualTo("first-boot");
                assertThat(event.isFromCache()).isFalse();
            });
            context.getBean(IotHubTelemetryTemplate.class)
                .send(TelemetryMessage.builder(Map.of("temperature", 21.5)).messageId("dps-1").build())
                .join();
            emulator.awaitTelemetry("first-boot", (message) -> "dps-1".equals(message.systemProperties()
                .get("message-id")), Duration.ofSeconds(10));
        }
        assertThat(emulator.registrationRequests("first-boot")).isEqualTo(1);
        try (ConfigurableApplicationContext context = runConnected("first-boot",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey())) {
            assertThat(provisioned(context)).singleElement()
                .satisfies((event) -> assertThat(event.isFromCache()).isTrue());
        }
        assertThat(emulator.registrationRequests("first-boot")).isEqualTo(1);
    }

    @Test
    void whenTheDeviceIsDeletedAtTheHubThenItRegistersAgainAndReconnects() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("deleted", null);
        try (ConfigurableApplicationContext context = runConnected("deleted",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey())) {
            emulator.removeDevice("deleted");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> provisioned(context).size() == 2 && emulator.isConnected("deleted"));
            assertThat(emulator.registrationRequests("deleted")).isEqualTo(2);
            assertThat(provisioned(context)).last()
                .satisfies((event) -> assertThat(event.isFromCache()).isFalse());
        }
    }

    @Test
    void whenTheHubRefusesTheDeviceAndItIsAssignedToAnotherHubThenTheConnectionMovesThereWithoutARestart() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("moving", null);
        try (IotHubEmulator second = IotHubEmulator.builder()
            .bindAddress("127.0.0.2")
            .hubName("127.0.0.2")
            .mqttPort(emulator.mqttPort())
            .webSocketPort(-1)
            .servicePort(-1)
            .start();
                ConfigurableApplicationContext context = runConnected("moving",
                        "iothub.dps.symmetric-key=" + enrollment.primaryKey(),
                        "spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem()
                                + second.caCertificatePem())) {
            second.registerDevice("moving", enrollment.primaryKey());
            emulator.enrollIndividual("moving", enrollment.primaryKey(), second.hubName());
            emulator.removeDevice("moving");
            // The hub sees the device at CONNECT; the application is up once its subscriptions are acknowledged.
            IotHubHealthIndicator indicator = context.getBean(IotHubHealthIndicator.class);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> second.isConnected("moving") && indicator.health().getStatus().equals(Status.UP));
            assertThat(provisioned(context)).last().satisfies((event) -> {
                assertThat(event.getHostName()).isEqualTo("127.0.0.2");
                assertThat(event.isFromCache()).isFalse();
            });
            Health health = indicator.health();
            assertThat(health.getDetails()).containsEntry("hostName", "127.0.0.2");
            assertThat(context.getBean(IotHubProvisioningHealthIndicator.class).health().getDetails())
                .containsEntry("assignedHub", "127.0.0.2");
            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("hub", "second")).join();
            assertThat(second.awaitTelemetry("moving", (message) -> true, Duration.ofSeconds(10)).bodyAsString())
                .isEqualTo("{\"hub\":\"second\"}");
        }
    }

    @Test
    void whenAnHttpProxyIsSetThenTheRegistrationAndTheHubConnectionGoThroughItsTunnel() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("dps-proxied", null);
        try (TinyProxy proxy = TinyProxy.start("device", "pr0xy-s3cret");
                ConfigurableApplicationContext context = runConnected("dps-proxied",
                        "iothub.dps.symmetric-key=" + enrollment.primaryKey(), "iothub.proxy.host=127.0.0.1",
                        "iothub.proxy.port=" + proxy.port(), "iothub.proxy.username=device",
                        "iothub.proxy.password=pr0xy-s3cret")) {
            assertThat(emulator.registrationRequests("dps-proxied")).isEqualTo(1);
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> proxy.logText().split("CONNECT localhost:" + emulator.mqttPort(), -1).length >= 3);
        }
    }

    @Test
    void whenThrottledThenItBacksOffAndRegisters() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("throttled", null);
        emulator.failNextRegistration(429);
        try (ConfigurableApplicationContext context = runConnected("throttled",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey())) {
            assertThat(emulator.registrationRequests("throttled")).isEqualTo(2);
        }
    }

    @Test
    void whenTheKeyIsWrongThenStartupFailsSayingTheServiceRefused() {
        emulator.enrollIndividual("wrong-key", null);
        assertThatThrownBy(() -> run(IotHubTransport.MQTT, "wrong-key",
                "iothub.dps.symmetric-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="))
            .rootCause()
            .isInstanceOf(IotHubProvisioningException.class)
            .hasMessageContaining("Registration 'wrong-key' in ID scope '0ne0000dps1' was refused")
            .hasMessageContaining("401")
            .hasMessageNotContaining("AAECAwQF");
        assertThat(emulator.devices()).noneMatch((device) -> device.id().equals("wrong-key"));
    }

    @Test
    void whenTheEnrollmentIsDisabledThenStartupFailsSayingSo() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("disabled", null);
        emulator.setEnrollmentEnabled("disabled", false);
        assertThatThrownBy(() -> run(IotHubTransport.MQTT, "disabled",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey()))
            .rootCause()
            .isInstanceOf(IotHubProvisioningException.class)
            .hasMessageContaining("the enrollment is disabled");
    }

    @Test
    void devicesOfAnEnrollmentGroupConnectWithKeysDerivedFromTheGroupKey() {
        EnrollmentGroup group = emulator.enrollGroup("line-7", null);
        try (ConfigurableApplicationContext first = runConnected("line-7-a",
                "iothub.dps.enrollment-group-key=" + group.primaryKey());
                ConfigurableApplicationContext second = runConnected("line-7-b",
                        "iothub.dps.enrollment-group-key=" + group.primaryKey())) {
            assertThat(emulator.device("line-7-a").primaryKey()).isEqualTo(group.deviceKey("line-7-a"));
            assertThat(emulator.device("line-7-b").primaryKey()).isEqualTo(group.deviceKey("line-7-b"));
        }
    }

    @Test
    void withAnX509CertificateFromTheSslBundleItProvisionsAndConnectsWithoutAKey() {
        DeviceCertificate certificate = DeviceCertificate.generate("x509-dps");
        emulator.enrollIndividualX509("x509-dps", certificate.certificate());
        try (ConfigurableApplicationContext context = runConnected("x509-dps", "iothub.ssl.bundle=device",
                "spring.ssl.bundle.pem.device.keystore.certificate=" + certificate.certificatePem(),
                "spring.ssl.bundle.pem.device.keystore.private-key=" + certificate.privateKeyPem(),
                "spring.ssl.bundle.pem.device.truststore.certificate=" + emulator.caCertificatePem())) {
            assertThat(emulator.registrationRequests("x509-dps")).isEqualTo(1);
            assertThat(provisioned(context)).singleElement()
                .satisfies((event) -> assertThat(event.getDeviceId()).isEqualTo("x509-dps"));
        }
    }

    @Test
    void overMqttOverWebSocketItProvisionsAndConnectsThroughTheWebSocketEndpoint() {
        IndividualEnrollment enrollment = emulator.enrollIndividual("web-socket", null);
        try (ConfigurableApplicationContext context = run(IotHubTransport.MQTT_WS, "web-socket",
                "iothub.dps.symmetric-key=" + enrollment.primaryKey())) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected("web-socket"));
            assertThat(emulator.registrationRequests("web-socket")).isEqualTo(1);
        }
    }

    /**
     * Records the provisioning events.
     */
    static class ProvisionedEvents implements ApplicationListener<IotHubProvisionedEvent> {

        final List<IotHubProvisionedEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(IotHubProvisionedEvent event) {
            this.events.add(event);
        }

    }

}
