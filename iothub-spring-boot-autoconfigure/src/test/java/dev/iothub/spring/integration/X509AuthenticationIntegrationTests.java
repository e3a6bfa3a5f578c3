package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.Map;

import dev.iothub.emulator.DeviceCertificate;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void whenTheSslBundleHoldsTheRegisteredCertificateThenTheDeviceConnectsWithoutAKey() {
        DeviceCertificate certificate = DeviceCertificate.generate("x509-device");
        emulator.registerX509Device("x509-device", certificate.certificate());
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                EmulatorApplications.DeviceApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=HostName=" + emulator.hubName() + ";DeviceId=x509-device;x509=true",
                    "iothub.port=" + emulator.mqttPort(), "iothub.ssl.bundle=device",
                    "spring.ssl.bundle.pem.device.keystore.certificate=" + certificate.certificatePem(),
                    "spring.ssl.bundle.pem.device.keystore.private-key=" + certificate.privateKeyPem(),
                    "spring.ssl.bundle.pem.device.truststore.certificate=" + emulator.caCertificatePem(),
                    "spring.main.banner-mode=off")
            .run()) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected("x509-device"));
            context.getBean(IotHubTelemetryTemplate.class).send(Map.of("temperature", 20)).join();
            ReceivedTelemetry message = emulator.awaitTelemetry("x509-device", (m) -> true, Duration.ofSeconds(10));
            assertThat(message.systemProperties().get("iothub-connection-auth-method")).contains("\"x509\"");
        }
    }

}
