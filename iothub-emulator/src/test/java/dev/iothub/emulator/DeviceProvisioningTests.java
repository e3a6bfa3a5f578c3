package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.UrlEncoding;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The emulator's Device Provisioning Service, on the hub's MQTT port, behaves like DPS for a plain Paho client.
 */
class DeviceProvisioningTests {

    private static final AtomicInteger ids = new AtomicInteger();

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().dpsIdScope("0ne0000ABCD").start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static String newId() {
        return "registration-" + ids.incrementAndGet();
    }

    @Nested
    class IndividualEnrollments {

        @Test
        void whenRegisteredThenAssignedToTheHubAndTheDeviceConnectsWithItsKey() throws Exception {
            String id = newId();
            IndividualEnrollment enrollment = hub.enrollIndividual(id, null);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(enrollment.primaryKey())) {
                PahoRegistrant.Response accepted = registrant.register();
                assertThat(accepted.status()).isEqualTo(202);
                assertThat(accepted.topic()).endsWith("&retry-after=1");
                assertThat(accepted.body().path("status").asString()).isEqualTo("assigning");
                String operationId = accepted.body().path("operationId").asString();
                assertThat(operationId).isNotEmpty();
                PahoRegistrant.Response assigned = registrant.status(operationId);
                assertThat(assigned.status()).isEqualTo(200);
                assertThat(assigned.body().path("operationId").asString()).isEqualTo(operationId);
                assertThat(assigned.body().path("status").asString()).isEqualTo("assigned");
                JsonNode state = assigned.body().path("registrationState");
                assertThat(state.path("registrationId").asString()).isEqualTo(id);
                assertThat(state.path("assignedHub").asString()).isEqualTo(hub.hubName());
                assertThat(state.path("deviceId").asString()).isEqualTo(id);
                assertThat(state.path("status").asString()).isEqualTo("assigned");
                assertThat(state.path("substatus").asString()).isEqualTo("initialAssignment");
                assertThat(state.path("etag").asString()).isNotEmpty();
                assertThat(Instant.parse(state.path("createdDateTimeUtc").asString())).isBeforeOrEqualTo(Instant.now());
                assertThat(state.path("lastUpdatedDateTimeUtc").asString()).isNotEmpty();
            }
            assertThat(hub.device(id).primaryKey()).isEqualTo(enrollment.primaryKey());
            try (PahoDevice device = new PahoDevice(hub, id).connect(true)) {
                device.publish("devices/" + id + "/messages/events/", "provisioned", 1, false);
                assertThat(hub.awaitTelemetry(id, (message) -> true, Duration.ofSeconds(10)).bodyAsString())
                    .isEqualTo("provisioned");
            }
        }

        @Test
        void whenTheTokenIsSignedWithAnotherKeyThen401AndNoDevice() throws Exception {
            String id = newId();
            hub.enrollIndividual(id, null);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(hub.enrollGroup(newId(), null)
                .primaryKey())) {
                PahoRegistrant.Response refused = registrant.register();
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.body().path("errorCode").asInt()).isEqualTo(401002);
                assertThat(refused.body().path("message").asString()).isEqualTo("Unauthorized");
                assertThat(refused.body().path("trackingId").asString()).isNotEmpty();
            }
            assertThat(hub.devices()).noneMatch((device) -> device.deviceId().equals(id));
        }

        @Test
        void whenTheRegistrationIdIsNotEnrolledThenTheSame401() throws Exception {
            String id = newId();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(
                    hub.enrollIndividual(newId(), null).primaryKey())) {
                PahoRegistrant.Response refused = registrant.register();
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.body().path("errorCode").asInt()).isEqualTo(401002);
            }
            assertThat(hub.registrationRequests(id)).isEqualTo(1);
        }

        @Test
        void whenTheEnrollmentIsDisabledThenTheOperationEndsDisabledAndNoDevice() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            hub.setEnrollmentEnabled(id, false);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                PahoRegistrant.Response outcome = registrant.provision();
                assertThat(outcome.status()).isEqualTo(200);
                assertThat(outcome.body().path("status").asString()).isEqualTo("disabled");
                assertThat(outcome.body().path("registrationState").path("assignedHub").isMissingNode()).isTrue();
            }
            assertThat(hub.devices()).noneMatch((device) -> device.deviceId().equals(id));
            assertThat(hub.registrationState(id).status()).isEqualTo("disabled");
        }

        @Test
        void whenAnAssignedDeviceRegistersAgainThenTheSameAssignment() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            JsonNode first;
            JsonNode second;
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                first = registrant.provision().body().path("registrationState");
            }
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                second = registrant.provision().body().path("registrationState");
            }
            assertThat(second.path("deviceId").asString()).isEqualTo(first.path("deviceId").asString());
            assertThat(second.path("assignedHub").asString()).isEqualTo(first.path("assignedHub").asString());
            assertThat(second.path("createdDateTimeUtc").asString())
                .isEqualTo(first.path("createdDateTimeUtc").asString());
            assertThat(second.path("etag").asString()).isEqualTo(first.path("etag").asString());
            assertThat(hub.registrationRequests(id)).isEqualTo(2);
            assertThat(hub.device(id).primaryKey()).isEqualTo(key);
        }

        @Test
        void whenTheDeviceWasDeletedAtTheHubThenRegisteringAgainRecreatesIt() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                registrant.provision();
                hub.removeDevice(id);
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
            assertThat(hub.device(id).primaryKey()).isEqualTo(key);
        }

        @Test
        void whenThePayloadHasCustomDataAndAModelIdThenItIsEchoedInTheRegistrationState() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                PahoRegistrant.Response accepted = registrant.register("{\"registrationId\":\"" + id
                        + "\",\"payload\":{\"modelId\":\"dtmi:com:example:Thermostat;1\",\"site\":\"north\"}}");
                JsonNode payload = registrant.status(accepted.body().path("operationId").asString())
                    .body()
                    .path("registrationState")
                    .path("payload");
                assertThat(payload.path("modelId").asString()).isEqualTo("dtmi:com:example:Thermostat;1");
                assertThat(payload.path("site").asString()).isEqualTo("north");
            }
        }

        @Test
        void whenTheJavaSdkFormsAreUsedThenTheyAreAccepted() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            String javaUsername = hub.dpsIdScope() + "/registrations/" + id
                    + "/api-version=2019-03-31&ClientVersion=2019-03-31";
            String emptyKeyName = SasToken.create(hub.dpsIdScope() + "/registrations/" + id, key,
                    Instant.now().plusSeconds(3600)).text() + "&skn=";
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id)
                .connectWith(PahoRegistrant.options(javaUsername, emptyKeyName, hub.clientSslContext()))) {
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
        }

        @Test
        void whenTheScopeIsUrlEncodedInTheTokenThenItIsAccepted() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            String encoded = UrlEncoding.encode(hub.dpsIdScope() + "/registrations/" + id);
            long expiry = Instant.now().plusSeconds(3600).getEpochSecond();
            String token = "SharedAccessSignature sr=" + encoded + "&sig="
                    + UrlEncoding.encode(SasToken.sign(key, encoded + "\n" + expiry)) + "&se=" + expiry
                    + "&skn=registration";
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id)
                .connectWith(PahoRegistrant.options(new PahoRegistrant(hub, id).username(), token,
                        hub.clientSslContext()))) {
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
        }

        @Test
        void whenTheTokenNamesAnotherRegistrationOrKeyNameOrHasExpiredThen401() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            String otherScope = PahoRegistrant.token(hub, id + "x", key);
            String otherKeyName = SasToken.create(hub.dpsIdScope() + "/registrations/" + id, key,
                    Instant.now().plusSeconds(3600)).text() + "&skn=iothubowner";
            String expired = SasToken.create(hub.dpsIdScope() + "/registrations/" + id, key,
                    Instant.now().minusSeconds(1)).text() + "&skn=registration";
            for (String token : new String[] { otherScope, otherKeyName, expired }) {
                try (PahoRegistrant registrant = new PahoRegistrant(hub, id)) {
                    registrant.connectWith(PahoRegistrant.options(registrant.username(), token,
                            hub.clientSslContext()));
                    assertThat(registrant.register().status()).isEqualTo(401);
                }
            }
        }
    }

    @Nested
    class EnrollmentGroups {

        @Test
        void whenTwoDevicesRegisterWithDerivedKeysThenBothAreAssignedWithThoseKeys() throws Exception {
            EnrollmentGroup group = hub.enrollGroup("group-" + ids.incrementAndGet(), null);
            for (String id : new String[] { newId(), newId() }) {
                try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(group.deviceKey(id))) {
                    assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
                }
                assertThat(hub.device(id).primaryKey()).isEqualTo(group.deviceKey(id));
                assertThat(hub.registrationState(id).enrollmentGroupId()).isEqualTo(group.groupId());
            }
        }

        @Test
        void whenSignedWithTheGroupKeyItselfThen401() throws Exception {
            EnrollmentGroup group = hub.enrollGroup("group-" + ids.incrementAndGet(), null);
            String id = newId();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(group.primaryKey())) {
                assertThat(registrant.register().status()).isEqualTo(401);
            }
        }

        @Test
        void whenTheGroupIsDisabledThenDisabled() throws Exception {
            EnrollmentGroup group = hub.enrollGroup("group-" + ids.incrementAndGet(), null);
            hub.setEnrollmentEnabled(group.groupId(), false);
            String id = newId();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(group.deviceKey(id))) {
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("disabled");
            }
        }

        @Test
        void whenTheDerivedKeyIsComputedThenItIsBase64HmacOfTheRegistrationId() {
            EnrollmentGroup group = new EnrollmentGroup("g", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true);
            assertThat(group.deviceKey("dev1")).isEqualTo(SasToken.sign(group.primaryKey(), "dev1"));
            assertThat(group.toString()).doesNotContain(group.primaryKey());
        }
    }

    @Nested
    class X509Enrollments {

        @Test
        void whenTheEnrolledCertificateConnectsThenAssignedAndItConnectsToTheHub() throws Exception {
            String id = newId();
            DeviceCertificate certificate = DeviceCertificate.generate(id);
            hub.enrollIndividualX509(id, certificate.certificate());
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id)) {
                registrant.connectWith(PahoRegistrant.options(registrant.username(), null,
                        hub.clientSslContext(certificate)));
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
            MqttClient client = new MqttClient("ssl://localhost:" + hub.mqttPort(), id, new MemoryPersistence());
            try {
                client.connect(PahoRegistrant.options(MqttUsername.format(hub.hubName(), id, null, null), null,
                        hub.clientSslContext(certificate)));
                client.publish("devices/" + id + "/messages/events/", "x".getBytes(StandardCharsets.UTF_8), 1, false);
                assertThat(hub.awaitTelemetry(id, (message) -> true, Duration.ofSeconds(10))).isNotNull();
            }
            finally {
                client.disconnect();
                client.close();
            }
        }

        @Test
        void whenAnotherCertificateIsPresentedThenConnackIs5() throws Exception {
            String id = newId();
            hub.enrollIndividualX509(id, DeviceCertificate.generate(id).certificate());
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id)) {
                assertThatExceptionOfType(MqttException.class)
                    .isThrownBy(() -> registrant.connectWith(PahoRegistrant.options(registrant.username(), null,
                            hub.clientSslContext(DeviceCertificate.generate(id)))))
                    .satisfies((ex) -> assertThat(ex.getReasonCode())
                        .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
            }
        }
    }

    @Test
    void whenTheReadmeSnippetRunsThenEachCallAnswersAsDocumented() throws Exception {
        try (IotHubEmulator hub = IotHubEmulator.builder().dpsIdScope("0ne0000ABCD").start()) {
            IndividualEnrollment sensor = hub.enrollIndividual("sensor-1", null);
            EnrollmentGroup fleet = hub.enrollGroup("fleet", null);
            String deviceKey = fleet.deviceKey("truck-7");
            hub.enrollIndividualX509("camera-1", DeviceCertificate.generate("camera-1").certificate());
            hub.setEnrollmentEnabled("fleet", false);
            hub.failNextRegistration(429);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, "truck-7").connect(deviceKey)) {
                assertThat(registrant.register().status()).isEqualTo(429);
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("disabled");
            }
            try (PahoRegistrant registrant = new PahoRegistrant(hub, "sensor-1").connect(sensor.primaryKey())) {
                registrant.provision();
            }
            DeviceRegistrationState state = hub.registrationState("sensor-1");
            assertThat(state.assignedHub()).isEqualTo(hub.hubName());
            assertThat(state.deviceId()).isEqualTo("sensor-1");
            assertThat(state.status()).isEqualTo("assigned");
            assertThat(hub.registrationRequests("sensor-1")).isEqualTo(1);
            assertThat(hub.dpsIdScope()).isEqualTo("0ne0000ABCD");
        }
    }

    @Nested
    class Sessions {

        @Test
        void whenRegisteringOverMqttOverWebSocketThenAssigned() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id,
                    PahoDevice.serverUri(hub, DeviceEndpoint.MQTT_WEBSOCKET)).connect(key)) {
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
            assertThat(hub.device(id).primaryKey()).isEqualTo(key);
        }

        @Test
        void whenTheIdScopeIsAnotherOneThenConnackIs5() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id)) {
                MqttConnectOptions options = PahoRegistrant.options("0ne99999999/registrations/" + id
                        + PahoRegistrant.DOC_USERNAME_SUFFIX, PahoRegistrant.token(hub, id, key),
                        hub.clientSslContext());
                assertThatExceptionOfType(MqttException.class).isThrownBy(() -> registrant.connectWith(options))
                    .satisfies((ex) -> assertThat(ex.getReasonCode())
                        .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
            }
        }

        @Test
        void whenTheNextRegistrationIsThrottledThen429WithRetryAfterThenSuccess() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            hub.failNextRegistration(429);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                PahoRegistrant.Response throttled = registrant.register();
                assertThat(throttled.status()).isEqualTo(429);
                assertThat(throttled.topic()).endsWith("&retry-after=1");
                assertThat(throttled.body().path("errorCode").asInt()).isEqualTo(429000);
                assertThat(registrant.provision().body().path("status").asString()).isEqualTo("assigned");
            }
            assertThat(hub.registrationRequests(id)).isEqualTo(2);
        }

        @Test
        void whenTheNextRegistrationFailsThenThatStatusWithAnErrorBody() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            hub.failNextRegistration(500);
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                PahoRegistrant.Response failed = registrant.register();
                assertThat(failed.status()).isEqualTo(500);
                assertThat(failed.topic()).doesNotContain("retry-after");
                assertThat(failed.body().path("errorCode").asInt()).isEqualTo(500000);
            }
            assertThat(hub.devices()).noneMatch((device) -> device.deviceId().equals(id));
        }

        @Test
        void whenPollingAnUnknownOperationThen404() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                assertThat(registrant.status("4.0.unknown").status()).isEqualTo(404);
            }
        }

        @Test
        void whenTheRegisterBodyIsNotJsonThen400() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                assertThat(registrant.register("not json").status()).isEqualTo(400);
            }
        }

        @Test
        void whenPublishingToAHubTopicThenTheConnectionIsClosed() throws Exception {
            String id = newId();
            String key = hub.enrollIndividual(id, null).primaryKey();
            try (PahoRegistrant registrant = new PahoRegistrant(hub, id).connect(key)) {
                registrant.publishIgnoringClose("devices/" + id + "/messages/events/");
                await().atMost(Duration.ofSeconds(10)).until(() -> !registrant.isConnected());
            }
        }
    }
}
