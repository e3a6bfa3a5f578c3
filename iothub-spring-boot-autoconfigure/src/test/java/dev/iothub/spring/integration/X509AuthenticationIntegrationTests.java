package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.Map;

import dev.iothub.emulator.DeviceCertificate;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A device that authenticates with an X.509 client certificate from a Spring Boot SSL bundle ({@code x509=true}).
 */
class X509AuthenticationIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTheSslBundleHoldsTheRegisteredCertificateThenTheDeviceConnectsWithoutAKey(IotHubTransport transport) {
        String deviceId = "x509-device-" + transport.propertyValue();
        DeviceCertificate certificate = DeviceCertificate.generate(deviceId);
        emulator.registerX509Device(deviceId, certificate.certificate());
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                EmulatorApplications.DeviceApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=HostName=" + emulator.hubName() + ";DeviceId=" + deviceId
                    + ";x509=true", "iothub.transport=" + transport.propertyValue(),
                    "iothub.port=" + EmulatorApplications.port(emulator, transport), "iothub.ssl.bundle=device",
                    "spring.ssl.bundle.pem.device.keystore.certificate=" + certificate.certificatePem(),
                    "spring.ssl.bundle.pem.device.keystore.private-key=" + certificate.privateKeyPem(),
                    "spring.ssl.bundle.pem.device.truststore.certificate=" + emulator.caCertificatePem(),
                    "spring.main.banner-mode=off")
            .run()) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(deviceId));
            assertThat(emulator.connectedVia(deviceId)).contains(EmulatorApplications.endpoint(transport));
            // IoT Hub asks WebSocket devices for a client certificate unless told not to: X.509 devices must not be
            if (transport == IotHubTransport.MQTT_WS) {
                assertThat(context.getBean(IotHubClientManager.class).getUrl()).doesNotContain("iothub-no-client-cert");
            }
            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("temperature", 20)).join();
            ReceivedTelemetry message = emulator.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10));
            assertThat(message.systemProperties().get("iothub-connection-auth-method")).contains("\"x509\"");
        }
    }

}
