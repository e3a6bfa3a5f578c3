package dev.iothub.spring.integration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.iothub.emulator.DeviceCertificate;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Devices whose SSL bundle ({@code reload-on-update}) reads PEM files: when an X.509 device's files change to the
 * secondary certificate, the connection moves to it without a restart, and telemetry sent across the switch
 * arrives; when a SAS device's trust store changes to a new hub CA, the connection stays, and the next one trusts
 * the new hub.
 */
class CertificateRotationIntegrationTests {

    private static IotHubEmulator emulator;

    @TempDir
    Path directory;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenTheBundleFilesChangeToTheSecondaryCertificateThenTheDeviceReconnectsWithItAndLosesNoTelemetry()
            throws Exception {
        String deviceId = "rotating-device";
        DeviceCertificate primary = DeviceCertificate.generate(deviceId);
        DeviceCertificate secondary = DeviceCertificate.generate(deviceId);
        emulator.registerX509Device(deviceId, primary.certificate(), secondary.certificate());
        Path certificate = write("device.crt", primary.certificatePem());
        Path key = write("device.key", primary.privateKeyPem());
        Path ca = write("ca.crt", emulator.caCertificatePem());
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                EmulatorApplications.DeviceApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=HostName=" + emulator.hubName() + ";DeviceId=" + deviceId
                    + ";x509=true", "iothub.port=" + emulator.mqttPort(), "iothub.ssl.bundle=device",
                    "spring.ssl.bundle.pem.device.reload-on-update=true",
                    "spring.ssl.bundle.pem.device.keystore.certificate=file:" + certificate,
                    "spring.ssl.bundle.pem.device.keystore.private-key=file:" + key,
                    "spring.ssl.bundle.pem.device.truststore.certificate=file:" + ca,
                    "spring.ssl.bundle.watch.file.quiet-period=100ms", "iothub.connect-timeout=5s",
                    "iothub.shutdown-timeout=2s", "spring.main.banner-mode=off")
            .run()) {
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.connectedThumbprint(deviceId), (used) -> used.equals(thumbprint(primary)));
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            List<CompletableFuture<Void>> sent = new CopyOnWriteArrayList<>();
            Files.writeString(key, secondary.privateKeyPem());
            Files.writeString(certificate, secondary.certificatePem());
            await().atMost(EmulatorApplications.awaitTimeout()).pollInterval(Duration.ofMillis(10)).until(() -> {
                sent.add(telemetry.send(Map.of("n", sent.size())));
                return emulator.connectedThumbprint(deviceId).equals(thumbprint(secondary));
            });
            sent.add(telemetry.send(Map.of("n", sent.size())));
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            // At least once: a message whose PUBACK the switch cut off may arrive twice, none may be missing
            assertThat(emulator.telemetry(deviceId).stream().map(ReceivedTelemetry::bodyAsString).distinct())
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, sent.size()).mapToObj((n) -> "{\"n\":" + n + "}").toList());
            assertThat(context.getBean(IotHubClientManager.class).getStatus().lastDisconnectReason())
                .isEqualTo(DisconnectReason.CERTIFICATE_ROTATED);
            assertThat(context.getBean(ConnectionEvents.class).of(IotHubDisconnectedEvent.class))
                .extracting(IotHubDisconnectedEvent::getReason)
                .containsExactly(DisconnectReason.CERTIFICATE_ROTATED);
        }
    }

    @Test
    void whenTheTrustStoreChangesThenASasConnectionStaysUpAndTheNextConnectionTrustsTheNewHub() throws Exception {
        String deviceId = "trusting-device";
        emulator.registerDevice(deviceId);
        Path ca = write("hub-ca.crt", emulator.caCertificatePem());
        try (IotHubEmulator newHub = IotHubEmulator.builder().servicePort(-1).start();
                FaultInjectingRelay relay = new FaultInjectingRelay(emulator.mqttPort());
                ConfigurableApplicationContext context = new SpringApplicationBuilder(
                        EmulatorApplications.DeviceApplication.class)
                    .web(WebApplicationType.NONE)
                    .properties("iothub.connection-string=" + emulator.connectionString(deviceId),
                            "iothub.port=" + relay.port(), "iothub.ssl.bundle=hub",
                            "spring.ssl.bundle.pem.hub.reload-on-update=true",
                            "spring.ssl.bundle.pem.hub.truststore.certificate=file:" + ca,
                            "spring.ssl.bundle.watch.file.quiet-period=100ms", "iothub.connect-timeout=5s",
                            "iothub.shutdown-timeout=2s", "iothub.reconnect.initial-delay=100ms",
                            "iothub.reconnect.max-delay=300ms", "spring.main.banner-mode=off")
                    .run()) {
            newHub.registerDevice(deviceId, emulator.device(deviceId).primaryKey());
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(connection::isConnected);
            CountDownLatch reloaded = new CountDownLatch(1);
            context.getBean(SslBundles.class).addBundleUpdateHandler("hub", (bundle) -> reloaded.countDown());
            Files.writeString(ca, newHub.caCertificatePem());
            assertThat(reloaded.await(10, TimeUnit.SECONDS)).as("the bundle was reloaded").isTrue();
            assertThat(connection.isConnected()).isTrue();
            relay.forwardTo(newHub.mqttPort());
            relay.cutAll();
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> newHub.isConnected(deviceId));
            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("hub", "new")).get(10, TimeUnit.SECONDS);
            assertThat(newHub.telemetry(deviceId)).extracting(ReceivedTelemetry::bodyAsString)
                .containsExactly("{\"hub\":\"new\"}");
            assertThat(context.getBean(ConnectionEvents.class).of(IotHubDisconnectedEvent.class))
                .extracting(IotHubDisconnectedEvent::getReason)
                .containsExactly(DisconnectReason.CONNECTION_LOST);
        }
    }

    private static Optional<String> thumbprint(DeviceCertificate certificate) {
        return Optional.of(certificate.thumbprint());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(this.directory.resolve(name), content);
    }

}
