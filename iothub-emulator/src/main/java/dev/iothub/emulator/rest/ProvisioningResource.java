package dev.iothub.emulator.rest;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

import dev.iothub.emulator.DeviceRegistrationState;
import dev.iothub.emulator.EnrollmentGroup;
import dev.iothub.emulator.IndividualEnrollment;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.hub.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Device Provisioning Service's service API: {@code /enrollments/{registrationId}} (individual enrollments,
 * {@code symmetricKey} or {@code x509} attestation), {@code /enrollmentGroups/{groupId}} (symmetric key) and
 * {@code /registrations/{registrationId}} (the registration state), with DPS's JSON shapes: {@code attestation},
 * {@code provisioningStatus} {@code enabled} or {@code disabled}.
 */
final class ProvisioningResource {

    private final IotHubEmulator emulator;

    ProvisioningResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.add("PUT", "/enrollments/{registrationId}", this::putEnrollment)
            .add("GET", "/enrollments/{registrationId}",
                    (request) -> RestResponse.ok(toJson(this.emulator.individualEnrollment(id(request)))))
            .add("DELETE", "/enrollments/{registrationId}", (request) -> {
                this.emulator.removeEnrollment(id(request));
                return RestResponse.noContent();
            })
            .add("PUT", "/enrollmentGroups/{groupId}", this::putGroup)
            .add("GET", "/enrollmentGroups/{groupId}",
                    (request) -> RestResponse.ok(toJson(this.emulator.enrollmentGroup(request.pathVariable("groupId")))))
            .add("DELETE", "/enrollmentGroups/{groupId}", (request) -> {
                this.emulator.removeEnrollmentGroup(request.pathVariable("groupId"));
                return RestResponse.noContent();
            })
            .add("GET", "/registrations/{registrationId}",
                    (request) -> RestResponse.ok(toJson(this.emulator.registrationState(id(request)))));
    }

    private static String id(RestRequest request) {
        return request.pathVariable("registrationId");
    }

    private RestResponse putEnrollment(RestRequest request) {
        String registrationId = id(request);
        JsonNode body = request.requiredJsonObjectBody();
        requireSameId(body, "registrationId", registrationId);
        JsonNode attestation = body.path("attestation");
        String type = attestation.path("type").asString("");
        String iotHubHostName = iotHubHostName(body);
        if (type.equals("symmetricKey")) {
            if (iotHubHostName != null) {
                this.emulator.enrollIndividual(registrationId, primaryKey(attestation), iotHubHostName);
            }
            else {
                this.emulator.enrollIndividual(registrationId, primaryKey(attestation));
            }
        }
        else if (iotHubHostName != null) {
            throw RestRequest.invalid("iotHubHostName is supported with symmetricKey attestation only");
        }
        else if (type.equals("x509")) {
            this.emulator.enrollIndividualX509(registrationId, certificate(attestation.path("x509")
                .path("clientCertificates").path("primary").path("certificate")));
        }
        else {
            throw RestRequest.invalid("attestation.type must be symmetricKey or x509 (TPM is not emulated)");
        }
        this.emulator.setEnrollmentEnabled(registrationId, enabled(body));
        return RestResponse.ok(toJson(this.emulator.individualEnrollment(registrationId)));
    }

    private RestResponse putGroup(RestRequest request) {
        String groupId = request.pathVariable("groupId");
        JsonNode body = request.requiredJsonObjectBody();
        requireSameId(body, "enrollmentGroupId", groupId);
        JsonNode attestation = body.path("attestation");
        if (!attestation.path("type").asString("").equals("symmetricKey")) {
            throw RestRequest.invalid("attestation.type of an enrollment group must be symmetricKey");
        }
        this.emulator.enrollGroup(groupId, primaryKey(attestation));
        this.emulator.setEnrollmentEnabled(groupId, enabled(body));
        return RestResponse.ok(toJson(this.emulator.enrollmentGroup(groupId)));
    }

    private static @Nullable String primaryKey(JsonNode attestation) {
        JsonNode key = attestation.path("symmetricKey").path("primaryKey");
        if (key.isMissingNode() || key.isNull()) {
            return null;
        }
        if (!key.isString()) {
            throw RestRequest.invalid("attestation.symmetricKey.primaryKey must be a Base64 string");
        }
        return key.asString();
    }

    /** A certificate in PEM, or Base64 of PEM or DER (DPS's service API takes Base64-encoded PEM). */
    private static X509Certificate certificate(JsonNode node) {
        if (!node.isString() || node.asString().isBlank()) {
            throw RestRequest.invalid("attestation.x509.clientCertificates.primary.certificate must hold the "
                    + "device certificate (PEM, or Base64)");
        }
        String text = node.asString().trim();
        byte[] bytes;
        try {
            bytes = text.startsWith("-----") ? text.getBytes(StandardCharsets.US_ASCII)
                    : Base64.getMimeDecoder().decode(text);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(bytes));
        }
        catch (IllegalArgumentException | CertificateException ex) {
            throw RestRequest.invalid("attestation.x509.clientCertificates.primary.certificate is not a certificate");
        }
    }

    /** The hub the enrollment assigns its device to, or {@code null} for the emulator's own hub. */
    private static @Nullable String iotHubHostName(JsonNode body) {
        JsonNode hub = body.path("iotHubHostName");
        if (hub.isMissingNode() || hub.isNull()) {
            return null;
        }
        if (!hub.isString() || hub.asString().isBlank()) {
            throw RestRequest.invalid("iotHubHostName must be a host name");
        }
        return hub.asString();
    }

    private static boolean enabled(JsonNode body) {
        String status = body.path("provisioningStatus").asString("enabled");
        if (!status.equals("enabled") && !status.equals("disabled")) {
            throw RestRequest.invalid("provisioningStatus must be enabled or disabled");
        }
        return status.equals("enabled");
    }

    private static void requireSameId(JsonNode body, String name, String inPath) {
        JsonNode inBody = body.path(name);
        if (!inBody.isMissingNode() && !inBody.isNull() && !inPath.equals(inBody.asString())) {
            throw RestRequest.invalid("The " + name + " in the body does not match the one in the path");
        }
    }

    private static ObjectNode toJson(IndividualEnrollment enrollment) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("registrationId", enrollment.registrationId());
        ObjectNode attestation = node.putObject("attestation");
        if (enrollment.primaryKey() != null) {
            attestation.put("type", "symmetricKey").putObject("symmetricKey").put("primaryKey", enrollment.primaryKey());
        }
        else {
            attestation.put("type", "x509")
                .putObject("x509")
                .putObject("clientCertificates")
                .putObject("primary")
                .putObject("info")
                .put("sha256Thumbprint", enrollment.certificateThumbprint());
        }
        if (enrollment.iotHubHostName() != null) {
            node.put("iotHubHostName", enrollment.iotHubHostName());
        }
        return node.put("provisioningStatus", enrollment.enabled() ? "enabled" : "disabled");
    }

    private static ObjectNode toJson(EnrollmentGroup group) {
        ObjectNode node = Json.MAPPER.createObjectNode().put("enrollmentGroupId", group.groupId());
        node.putObject("attestation")
            .put("type", "symmetricKey")
            .putObject("symmetricKey")
            .put("primaryKey", group.primaryKey());
        return node.put("provisioningStatus", group.enabled() ? "enabled" : "disabled");
    }

    private static ObjectNode toJson(DeviceRegistrationState state) {
        ObjectNode node = ProvisioningService.registrationStateJson(state, null);
        if (state.enrollmentGroupId() != null) {
            node.put("enrollmentGroupId", state.enrollmentGroupId());
        }
        return node;
    }
}
