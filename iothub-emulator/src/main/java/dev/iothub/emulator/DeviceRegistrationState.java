package dev.iothub.emulator;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of a registration id's latest registration with the emulator's Device Provisioning Service, as DPS's
 * service API reports it under {@code /registrations/{registrationId}}.
 *
 * @param registrationId the registration id
 * @param status {@code assigned} or {@code disabled}
 * @param assignedHub the hub the device was assigned to, or {@code null} when not assigned
 * @param deviceId the device id at that hub, or {@code null} when not assigned
 * @param enrollmentGroupId the enrollment group it registered through, or {@code null} for an individual enrollment
 * @param createdDateTimeUtc when the registration id first registered
 * @param lastUpdatedDateTimeUtc when it last registered
 * @param etag changes whenever the assignment does
 */
public record DeviceRegistrationState(String registrationId, String status, @Nullable String assignedHub,
        @Nullable String deviceId, @Nullable String enrollmentGroupId, Instant createdDateTimeUtc,
        Instant lastUpdatedDateTimeUtc, String etag) {
}
