package dev.iothub.emulator.dps;

import java.lang.System.Logger.Level;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.DeviceRegistrationState;
import dev.iothub.emulator.EnrollmentGroup;
import dev.iothub.emulator.IndividualEnrollment;
import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.hub.Hub;
import dev.iothub.emulator.hub.Json;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.UrlEncoding;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The Device Provisioning Service of one emulator: individual enrollments (symmetric key or X.509 thumbprint),
 * symmetric-key enrollment groups, and registrations. A registration that attests is assigned at once to the hub,
 * which registers the device (registration id = device id) with the enrollment's key, the group-derived key or the
 * thumbprint; the device learns the outcome by polling the operation. Like DPS, a registration id without an
 * enrollment and a token signed with the wrong key get the same {@code 401}, so the answer does not tell which
 * registration ids exist.
 * <p>
 * Thread-safe: every method holds the service's lock for the little work it does.
 */
public final class ProvisioningService {

    /** DPS's error code for a registration that does not attest (unknown registration id or wrong key). */
    public static final int UNAUTHORIZED = 401002;

    /** The error code answered for an unknown enrollment, enrollment group or registration. */
    public static final int NOT_FOUND = 404201;

    /** How long the emulator asks a device to wait before polling its operation, in seconds. */
    static final int RETRY_AFTER_SECONDS = 1;

    private static final System.Logger logger = System.getLogger(ProvisioningService.class.getName());

    private static final String REGISTRATION_KEY_NAME = "registration";

    private final SecureRandom random = new SecureRandom();

    private final String idScope;

    private final String hubName;

    private final Hub hub;

    private final Clock clock;

    private final Map<String, IndividualEnrollment> enrollments = new LinkedHashMap<>();

    private final Map<String, EnrollmentGroup> groups = new LinkedHashMap<>();

    private final Map<String, DeviceRegistrationState> registrations = new HashMap<>();

    private final Map<String, ProvisioningResponse> operations = new HashMap<>();

    private final Map<String, Integer> registrationRequests = new HashMap<>();

    private int nextRegistrationFailure;

    /**
     * Creates the service.
     *
     * @param idScope the ID scope devices name in their username and SAS scope
     * @param hubName the host name of the hub devices are assigned to
     * @param hub the hub whose registry receives assigned devices
     * @param clock the clock of timestamps and token expiry
     */
    public ProvisioningService(String idScope, String hubName, Hub hub, Clock clock) {
        if (idScope.isBlank() || idScope.contains("/")) {
            throw new IllegalArgumentException("The DPS ID scope must be non-blank and contain no '/'");
        }
        this.idScope = idScope;
        this.hubName = hubName;
        this.hub = hub;
        this.clock = clock;
    }

    /** The ID scope. */
    public String idScope() {
        return this.idScope;
    }

    // Enrollments

    /**
     * Creates or replaces an individual enrollment (enabled).
     *
     * @param primaryKey the symmetric key (Base64); {@code null} with no thumbprint generates one
     * @param certificateThumbprint the X.509 certificate's SHA-256 thumbprint instead of a key, or {@code null}
     */
    public synchronized IndividualEnrollment enrollIndividual(String registrationId, @Nullable String primaryKey,
            @Nullable String certificateThumbprint) {
        return enrollIndividual(registrationId, primaryKey, certificateThumbprint, null);
    }

    /**
     * Creates or replaces an individual enrollment (enabled) that assigns its device to a hub.
     *
     * @param iotHubHostName the assigned hub, or {@code null} for this emulator's, which registers the device
     */
    public synchronized IndividualEnrollment enrollIndividual(String registrationId, @Nullable String primaryKey,
            @Nullable String certificateThumbprint, @Nullable String iotHubHostName) {
        requireRegistrationId(registrationId);
        String key = (certificateThumbprint != null) ? null : validKey(primaryKey);
        IndividualEnrollment enrollment = new IndividualEnrollment(registrationId, key,
                (certificateThumbprint != null) ? normalizeThumbprint(certificateThumbprint) : null, true,
                iotHubHostName);
        this.enrollments.put(registrationId, enrollment);
        return enrollment;
    }

    /** Creates or replaces a symmetric-key enrollment group (enabled); a {@code null} key generates one. */
    public synchronized EnrollmentGroup enrollGroup(String groupId, @Nullable String primaryKey) {
        requireRegistrationId(groupId);
        EnrollmentGroup group = new EnrollmentGroup(groupId, validKey(primaryKey), true);
        this.groups.put(groupId, group);
        return group;
    }

    /** The individual enrollment; fails with {@value #NOT_FOUND} when there is none. */
    public synchronized IndividualEnrollment individualEnrollment(String registrationId) {
        IndividualEnrollment enrollment = this.enrollments.get(registrationId);
        if (enrollment == null) {
            throw notFound("Enrollment " + registrationId);
        }
        return enrollment;
    }

    /** The enrollment group; fails with {@value #NOT_FOUND} when there is none. */
    public synchronized EnrollmentGroup enrollmentGroup(String groupId) {
        EnrollmentGroup group = this.groups.get(groupId);
        if (group == null) {
            throw notFound("Enrollment group " + groupId);
        }
        return group;
    }

    /**
     * Enables or disables the individual enrollment of this registration id, or else the enrollment group of this
     * id; fails with {@value #NOT_FOUND} when there is neither.
     */
    public synchronized void setEnabled(String registrationIdOrGroupId, boolean enabled) {
        IndividualEnrollment enrollment = this.enrollments.get(registrationIdOrGroupId);
        if (enrollment != null) {
            this.enrollments.put(registrationIdOrGroupId, new IndividualEnrollment(enrollment.registrationId(),
                    enrollment.primaryKey(), enrollment.certificateThumbprint(), enabled,
                    enrollment.iotHubHostName()));
            return;
        }
        EnrollmentGroup group = enrollmentGroup(registrationIdOrGroupId);
        this.groups.put(registrationIdOrGroupId, new EnrollmentGroup(group.groupId(), group.primaryKey(), enabled));
    }

    /** Deletes an individual enrollment and its registration state; fails with {@value #NOT_FOUND} without one. */
    public synchronized void removeEnrollment(String registrationId) {
        if (this.enrollments.remove(registrationId) == null) {
            throw notFound("Enrollment " + registrationId);
        }
        this.registrations.remove(registrationId);
    }

    /** Deletes an enrollment group and its devices' registration states; {@value #NOT_FOUND} without one. */
    public synchronized void removeEnrollmentGroup(String groupId) {
        if (this.groups.remove(groupId) == null) {
            throw notFound("Enrollment group " + groupId);
        }
        this.registrations.values().removeIf((state) -> groupId.equals(state.enrollmentGroupId()));
    }

    // Registrations

    /** The registration state of a registration id; fails with {@value #NOT_FOUND} before it registered. */
    public synchronized DeviceRegistrationState registrationState(String registrationId) {
        DeviceRegistrationState state = this.registrations.get(registrationId);
        if (state == null) {
            throw notFound("Registration " + registrationId);
        }
        return state;
    }

    /** How many register requests the service has seen for this registration id. */
    public synchronized int registrationRequests(String registrationId) {
        return this.registrationRequests.getOrDefault(registrationId, 0);
    }

    /**
     * Makes the next register request, whoever sends it, answer this status (fault injection); 429 carries
     * {@code retry-after: 1}.
     */
    public synchronized void failNextRegistration(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("The status of a failed registration must be 400 to 599");
        }
        this.nextRegistrationFailure = status;
    }

    /**
     * Whether a TLS client certificate may open a session for this registration id: an individual enrollment holds
     * its thumbprint (DPS refuses the CONNECT otherwise).
     */
    public synchronized boolean acceptsCertificate(String registrationId, String thumbprint) {
        IndividualEnrollment enrollment = this.enrollments.get(registrationId);
        return enrollment != null && thumbprint.equals(enrollment.certificateThumbprint());
    }

    /**
     * Handles a device's register request: attests it, assigns it (registering the device at the hub) and answers
     * 202 with the operation to poll, or an error.
     *
     * @param payload the request's {@code payload} (custom allocation data, e.g. {@code {"modelId":...}}), or
     * {@code null}
     */
    public synchronized ProvisioningResponse register(String registrationId, RegistrationCredential credential,
            @Nullable JsonNode payload) {
        this.registrationRequests.merge(registrationId, 1, Integer::sum);
        if (this.nextRegistrationFailure != 0) {
            int status = this.nextRegistrationFailure;
            this.nextRegistrationFailure = 0;
            return error(status, status * 1000, (status == 429) ? "Throttled (fault injection)"
                    : "Registration failed (fault injection)", (status == 429) ? 1 : null);
        }
        Optional<Attestation> attestation = attest(registrationId, credential);
        if (attestation.isEmpty()) {
            logger.log(Level.DEBUG, "Registration {0} refused: no enrollment attests it", registrationId);
            return error(401, UNAUTHORIZED, "Unauthorized", null);
        }
        Instant now = this.clock.instant();
        DeviceRegistrationState previous = this.registrations.get(registrationId);
        boolean enabled = attestation.get().enabled();
        String enrolledHub = attestation.get().iotHubHostName();
        String assignedHub = (enrolledHub != null) ? enrolledHub : this.hubName;
        if (enabled && assignedHub.equals(this.hubName)) {
            assignAtHub(registrationId, attestation.get());
        }
        boolean sameAssignment = previous != null && enabled && "assigned".equals(previous.status())
                && assignedHub.equals(previous.assignedHub());
        DeviceRegistrationState state = new DeviceRegistrationState(registrationId,
                enabled ? "assigned" : "disabled", enabled ? assignedHub : null, enabled ? registrationId : null,
                attestation.get().groupId(), (previous != null) ? previous.createdDateTimeUtc() : now, now,
                sameAssignment ? previous.etag() : UUID.randomUUID().toString());
        this.registrations.put(registrationId, state);
        String operationId = "4." + HexFormat.of().toHexDigits(this.random.nextLong()) + "." + UUID.randomUUID();
        ObjectNode result = Json.MAPPER.createObjectNode()
            .put("operationId", operationId)
            .put("status", state.status());
        result.set("registrationState", registrationStateJson(state, payloadObject(payload)));
        this.operations.put(operationId, new ProvisioningResponse(200, null, result));
        return new ProvisioningResponse(202, RETRY_AFTER_SECONDS,
                Json.MAPPER.createObjectNode().put("operationId", operationId).put("status", "assigning"));
    }

    /** Answers a device's operation status request: 200 with the outcome, or 404 for an unknown operation. */
    public synchronized ProvisioningResponse operationStatus(String operationId) {
        ProvisioningResponse outcome = this.operations.get(operationId);
        return (outcome != null) ? outcome : error(404, NOT_FOUND, "Operation not found", null);
    }

    /** Answers a request the service cannot read with 400. */
    public ProvisioningResponse invalidRequest(String message) {
        return error(400, IotHubServiceException.ARGUMENT_INVALID, message, null);
    }

    /** A registration state as DPS's JSON. */
    public static ObjectNode registrationStateJson(DeviceRegistrationState state, @Nullable JsonNode payload) {
        ObjectNode json = Json.MAPPER.createObjectNode()
            .put("registrationId", state.registrationId())
            .put("createdDateTimeUtc", state.createdDateTimeUtc().toString());
        if (state.assignedHub() != null) {
            json.put("assignedHub", state.assignedHub()).put("deviceId", state.deviceId())
                .put("substatus", "initialAssignment");
        }
        json.put("status", state.status())
            .put("lastUpdatedDateTimeUtc", state.lastUpdatedDateTimeUtc().toString())
            .put("etag", state.etag());
        if (payload != null) {
            json.set("payload", payload);
        }
        return json;
    }

    /**
     * The request payload to echo: a JSON object, or the object in a JSON string (the Java SDK 2.1.3 sends its
     * {@code AdditionalData} payload as a string, and its parser only reads an object back); nothing else.
     */
    private static @Nullable JsonNode payloadObject(@Nullable JsonNode payload) {
        JsonNode object = (payload != null && payload.isString()) ? Json.parseOrNull(payload.asString()) : payload;
        return (object != null && object.isObject()) ? object : null;
    }

    /** The SHA-256 thumbprint of a certificate, lower-case hexadecimal. */
    public static String thumbprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalArgumentException("Cannot compute the certificate's thumbprint", ex);
        }
    }

    private Optional<Attestation> attest(String registrationId, RegistrationCredential credential) {
        IndividualEnrollment enrollment = this.enrollments.get(registrationId);
        if (credential instanceof RegistrationCredential.Certificate certificate) {
            return (enrollment != null && certificate.thumbprint().equals(enrollment.certificateThumbprint()))
                    ? Optional.of(new Attestation(null, certificate.thumbprint(), null, enrollment.enabled(),
                            enrollment.iotHubHostName()))
                    : Optional.empty();
        }
        SasToken token = ((RegistrationCredential.Sas) credential).token();
        if (!coversRegistration(token, registrationId)) {
            return Optional.empty();
        }
        if (enrollment != null) {
            return token.isSignedWith(enrollment.primaryKey())
                    ? Optional.of(new Attestation(enrollment.primaryKey(), null, null, enrollment.enabled(),
                            enrollment.iotHubHostName()))
                    : Optional.empty();
        }
        return this.groups.values()
            .stream()
            .filter((group) -> token.isSignedWith(group.deviceKey(registrationId)))
            .findFirst()
            .map((group) -> new Attestation(group.deviceKey(registrationId), null, group.groupId(), group.enabled(),
                    null));
    }

    /** The token names this registration (encoded or raw), the registration key name (or none) and has not expired. */
    private boolean coversRegistration(SasToken token, String registrationId) {
        String keyName = token.keyName();
        String scope;
        try {
            scope = UrlEncoding.decode(token.resource());
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
        return (keyName == null || keyName.isEmpty() || keyName.equals(REGISTRATION_KEY_NAME))
                && scope.equalsIgnoreCase(this.idScope + "/registrations/" + registrationId)
                && !token.isExpiredAt(this.clock.instant());
    }

    /** Registers the device at the hub unless it is there already (a re-registration keeps its identity). */
    private void assignAtHub(String deviceId, Attestation attestation) {
        Optional<DeviceIdentity> existing = this.hub.find(deviceId);
        if (existing.isPresent()) {
            return;
        }
        DeviceIdentity device = this.hub.register(deviceId, null, attestation.deviceKey());
        if (attestation.thumbprint() != null) {
            this.hub.addThumbprint(device.id(), attestation.thumbprint());
        }
        logger.log(Level.DEBUG, "Provisioned device {0} to {1}", deviceId, this.hubName);
    }

    private ProvisioningResponse error(int status, int errorCode, String message, @Nullable Integer retryAfter) {
        return new ProvisioningResponse(status, retryAfter, Json.MAPPER.createObjectNode()
            .put("errorCode", errorCode)
            .put("trackingId", UUID.randomUUID().toString())
            .put("message", message)
            .put("timestampUtc", this.clock.instant().toString()));
    }

    private String validKey(@Nullable String primaryKey) {
        if (primaryKey == null) {
            byte[] key = new byte[32];
            this.random.nextBytes(key);
            return Base64.getEncoder().encodeToString(key);
        }
        try {
            if (Base64.getDecoder().decode(primaryKey).length == 0) {
                throw new IllegalArgumentException("empty");
            }
        }
        catch (IllegalArgumentException ex) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "A symmetric key must be non-empty Base64");
        }
        return primaryKey;
    }

    private static void requireRegistrationId(String id) {
        if (!id.matches("[A-Za-z0-9._:\\-]{1,128}")) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID, "A registration or group id "
                    + "is 1 to 128 characters: letters, digits, '-', '.', '_', ':'");
        }
    }

    private static String normalizeThumbprint(String thumbprint) {
        return thumbprint.replace(":", "").toLowerCase(Locale.ROOT);
    }

    private static IotHubServiceException notFound(String what) {
        return new IotHubServiceException(NOT_FOUND, what + " not found");
    }

    /**
     * What attested a registration.
     *
     * @param deviceKey the device's symmetric key at the hub, or {@code null} for X.509
     * @param thumbprint the certificate thumbprint, or {@code null} for a symmetric key
     * @param groupId the enrollment group, or {@code null} for an individual enrollment
     * @param enabled whether the enrollment is enabled
     * @param iotHubHostName the hub the enrollment assigns to, or {@code null} for the emulator's
     */
    private record Attestation(@Nullable String deviceKey, @Nullable String thumbprint, @Nullable String groupId,
            boolean enabled, @Nullable String iotHubHostName) {
    }
}
