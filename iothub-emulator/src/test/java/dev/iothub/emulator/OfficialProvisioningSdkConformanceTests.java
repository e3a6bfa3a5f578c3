package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.device.internal.exceptions.ProvisioningDeviceClientException;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Conformance of the emulator's Device Provisioning Service with a client nobody here wrote: the official Azure IoT
 * provisioning device SDK for Java 2.1.3 (MQTT transport, symmetric-key security provider) registers, then the
 * official device SDK 2.5.0 connects to the assigned hub as the assigned device and sends telemetry.
 * <p>
 * The provisioning SDK always connects to port 8883 of its global endpoint, so the emulator listens there as
 * {@code 127.0.0.1} (also its hub name: the device SDK needs a dot in the host). When 8883 is taken the class is
 * skipped, unless {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true} (as in CI), which makes it fail instead.
 * <p>
 * The SDK misses answers that come back within moments of its requests (see {@code ProvisioningConnection}); it
 * passes here because the emulator answers DPS requests a little later, as the real service does.
 */
class OfficialProvisioningSdkConformanceTests {

    private static final int SDK_PORT = 8883;

    private static final String GLOBAL_ENDPOINT = "127.0.0.1";

    private static final AtomicInteger ids = new AtomicInteger();

    private static IotHubEmulator hub;

    private static String unavailable;

    @BeforeAll
    static void startHub() {
        try {
            hub = IotHubEmulator.builder().hubName(GLOBAL_ENDPOINT).mqttPort(SDK_PORT).webSocketPort(-1).start();
        }
        catch (IllegalStateException ex) {
            if (Boolean.parseBoolean(System.getenv("IOTHUB_TESTS_REQUIRE_ENVIRONMENT"))) {
                throw ex;
            }
            unavailable = "The official provisioning SDK needs port " + SDK_PORT + ", which is taken ("
                    + ex.getMessage() + "); IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true fails instead";
        }
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    @BeforeEach
    void requireHub() {
        Assumptions.assumeTrue(unavailable == null, unavailable);
    }

    /** The SDK's symmetric-key provider, trusting the emulator's certificate instead of the public CAs. */
    private static SecurityProvider securityProvider(String key, String registrationId) {
        SSLContext tls = hub.clientSslContext();
        return new SecurityProviderSymmetricKey(key.getBytes(StandardCharsets.UTF_8), registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return tls;
            }
        };
    }

    private static ProvisioningDeviceClientRegistrationResult register(SecurityProvider security,
            AdditionalData data) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(GLOBAL_ENDPOINT, hub.dpsIdScope(),
                ProvisioningDeviceClientTransportProtocol.MQTT, security);
        try {
            return client.registerDeviceSync(data, 20);
        }
        finally {
            client.close();
        }
    }

    /** The device SDK connects with the assignment and the registration's key, and its telemetry arrives. */
    private static void sendTelemetry(ProvisioningDeviceClientRegistrationResult result, String key)
            throws Exception {
        DeviceClient device = new DeviceClient("HostName=" + result.getIothubUri() + ";DeviceId="
                + result.getDeviceId() + ";SharedAccessKey=" + key, IotHubClientProtocol.MQTT,
                ClientOptions.builder().sslContext(hub.clientSslContext()).build());
        try {
            device.open(false);
            device.sendEvent(new Message("provisioned by the SDK"));
            assertThat(hub.awaitTelemetry(result.getDeviceId(), (message) -> true, Duration.ofSeconds(10))
                .bodyAsString()).isEqualTo("provisioned by the SDK");
        }
        finally {
            device.close();
        }
    }

    @Test
    void whenAnIndividualEnrollmentRegistersThenTheDeviceSdkConnectsToTheAssignedHub() throws Exception {
        String registrationId = "sdk-registration-" + ids.incrementAndGet();
        String key = hub.enrollIndividual(registrationId, null).primaryKey();
        SecurityProvider security = securityProvider(key, registrationId);
        AdditionalData data = new AdditionalData();
        data.setProvisioningPayload("{\"modelId\":\"dtmi:com:example:Thermostat;1\"}");
        ProvisioningDeviceClientRegistrationResult result = register(security, data);
        assertThat(result.getProvisioningDeviceClientStatus())
            .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isEqualTo(hub.hubName());
        assertThat(result.getDeviceId()).isEqualTo(registrationId);
        assertThat(result.getProvisioningPayload()).contains("dtmi:com:example:Thermostat;1");
        sendTelemetry(result, key);
    }

    @Test
    void whenDevicesOfAnEnrollmentGroupRegisterWithDerivedKeysThenEachConnects() throws Exception {
        EnrollmentGroup group = hub.enrollGroup("sdk-group", null);
        String registrationId = "sdk-group-device-" + ids.incrementAndGet();
        byte[] derived = SecurityProviderSymmetricKey.ComputeDerivedSymmetricKey(
                group.primaryKey().getBytes(StandardCharsets.UTF_8), registrationId);
        assertThat(new String(derived, StandardCharsets.UTF_8)).isEqualTo(group.deviceKey(registrationId));
        SecurityProvider security = securityProvider(new String(derived, StandardCharsets.UTF_8), registrationId);
        ProvisioningDeviceClientRegistrationResult result = register(security, new AdditionalData());
        assertThat(result.getProvisioningDeviceClientStatus())
            .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        sendTelemetry(result, new String(derived, StandardCharsets.UTF_8));
    }

    @Test
    void whenTheKeyIsWrongThenTheSdkFails() {
        String registrationId = "sdk-registration-" + ids.incrementAndGet();
        hub.enrollIndividual(registrationId, null);
        String otherKey = hub.enrollIndividual(registrationId + "-other", null).primaryKey();
        assertThatExceptionOfType(ProvisioningDeviceClientException.class)
            .isThrownBy(() -> register(securityProvider(otherKey, registrationId), new AdditionalData()));
        assertThat(hub.devices()).noneMatch((device) -> device.deviceId().equals(registrationId));
    }
}
