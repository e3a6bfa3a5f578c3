package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.emulator.ServiceApiClient.Answer;
import dev.iothub.emulator.dps.ProvisioningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Device Provisioning Service's service API on the emulator's REST port: enrollments, enrollment groups and
 * registration states, in DPS's JSON shapes.
 */
class ProvisioningRestApiTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final AtomicInteger ids = new AtomicInteger();

    private static final JsonMapper json = JsonMapper.builder().build();

    private static IotHubEmulator hub;

    private static ServiceApiClient api;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().start();
        api = new ServiceApiClient(hub, "2021-10-01");
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void whenAnIndividualEnrollmentIsPutThenItIsReadDisabledAndDeleted() throws Exception {
        String id = "rest-enrollment-" + ids.incrementAndGet();
        Answer created = api.send("PUT", "/enrollments/" + id, "{\"registrationId\":\"" + id + "\",\"attestation\":"
                + "{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + KEY + "\"}},"
                + "\"provisioningStatus\":\"enabled\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().path("attestation").path("symmetricKey").path("primaryKey").asString())
            .isEqualTo(KEY);
        assertThat(hub.individualEnrollment(id).primaryKey()).isEqualTo(KEY);
        Answer disabled = api.send("PUT", "/enrollments/" + id, "{\"attestation\":{\"type\":\"symmetricKey\","
                + "\"symmetricKey\":{\"primaryKey\":\"" + KEY + "\"}},\"provisioningStatus\":\"disabled\"}");
        assertThat(disabled.body().path("provisioningStatus").asString()).isEqualTo("disabled");
        assertThat(api.send("GET", "/enrollments/" + id, null).body().path("provisioningStatus").asString())
            .isEqualTo("disabled");
        assertThat(api.send("DELETE", "/enrollments/" + id, null).status()).isEqualTo(204);
        Answer gone = api.send("GET", "/enrollments/" + id, null);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().path("errorCode").asInt()).isEqualTo(ProvisioningService.NOT_FOUND);
    }

    @Test
    void whenAnEnrollmentNamesAnotherHubThenItsDeviceIsAssignedThereAndNotRegisteredHere() throws Exception {
        String id = "rest-other-hub-" + ids.incrementAndGet();
        Answer created = api.send("PUT", "/enrollments/" + id, "{\"attestation\":{\"type\":\"symmetricKey\","
                + "\"symmetricKey\":{\"primaryKey\":\"" + KEY + "\"}},\"iotHubHostName\":\"hub-2.example\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().path("iotHubHostName").asString()).isEqualTo("hub-2.example");
        assertThat(hub.individualEnrollment(id).iotHubHostName()).isEqualTo("hub-2.example");
        assertThat(api.send("PUT", "/enrollments/" + id, "{\"attestation\":{\"type\":\"x509\"},"
                + "\"iotHubHostName\":\"hub-2.example\"}").status()).isEqualTo(400);
    }

    @Test
    void whenAnX509EnrollmentIsPutWithABase64PemCertificateThenItHoldsItsThumbprint() throws Exception {
        String id = "rest-x509-" + ids.incrementAndGet();
        DeviceCertificate certificate = DeviceCertificate.generate(id);
        String encoded = Base64.getEncoder()
            .encodeToString(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII));
        Answer created = api.send("PUT", "/enrollments/" + id, "{\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"clientCertificates\":{\"primary\":{\"certificate\":\"" + encoded + "\"}}}}}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().path("attestation").path("x509").path("clientCertificates").path("primary")
            .path("info").path("sha256Thumbprint").asString())
            .isEqualTo(ProvisioningService.thumbprint(certificate.certificate()));
    }

    @Test
    void whenAnEnrollmentGroupIsPutThenItsDevicesRegisterAndTheirStateIsRead() throws Exception {
        String groupId = "rest-group-" + ids.incrementAndGet();
        Answer created = api.send("PUT", "/enrollmentGroups/" + groupId, "{\"enrollmentGroupId\":\"" + groupId
                + "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + KEY + "\"}}}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().path("provisioningStatus").asString()).isEqualTo("enabled");
        String id = "rest-group-device-" + ids.incrementAndGet();
        assertThat(api.send("GET", "/registrations/" + id, null).status()).isEqualTo(404);
        try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(hub.enrollmentGroup(groupId)
            .deviceKey(id))) {
            registrant.provision();
        }
        JsonNode state = api.send("GET", "/registrations/" + id, null).body();
        assertThat(state.path("status").asString()).isEqualTo("assigned");
        assertThat(state.path("assignedHub").asString()).isEqualTo(hub.hubName());
        assertThat(state.path("deviceId").asString()).isEqualTo(id);
        assertThat(state.path("enrollmentGroupId").asString()).isEqualTo(groupId);
        assertThat(api.send("DELETE", "/enrollmentGroups/" + groupId, null).status()).isEqualTo(204);
        assertThat(api.send("GET", "/enrollmentGroups/" + groupId, null).status()).isEqualTo(404);
    }

    @Test
    void whenTheAttestationIsMissingOrTpmThen400() throws Exception {
        String id = "rest-bad-" + ids.incrementAndGet();
        assertThat(api.send("PUT", "/enrollments/" + id, "{}").status()).isEqualTo(400);
        assertThat(api.send("PUT", "/enrollments/" + id, "{\"attestation\":{\"type\":\"tpm\"}}").status())
            .isEqualTo(400);
        assertThat(api.send("PUT", "/enrollmentGroups/" + id, "{\"attestation\":{\"type\":\"x509\"}}").status())
            .isEqualTo(400);
    }
}
