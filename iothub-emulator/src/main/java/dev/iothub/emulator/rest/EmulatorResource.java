package dev.iothub.emulator.rest;

import dev.iothub.emulator.IotHubEmulator;

/**
 * {@code /emulator}: about the emulator itself rather than a hub resource. {@code GET /emulator/ca.pem} answers the
 * certificate devices must trust (PEM), so a client of an emulator in a container can fetch it; it doubles as a
 * readiness probe.
 */
final class EmulatorResource {

    /** The media type of a PEM certificate. */
    static final String PEM_MEDIA_TYPE = "application/x-pem-file";

    private final IotHubEmulator emulator;

    EmulatorResource(IotHubEmulator emulator) {
        this.emulator = emulator;
    }

    void addTo(RestRouter router) {
        router.addAnonymous("GET", "/emulator/ca.pem",
                (request) -> RestResponse.okText(PEM_MEDIA_TYPE, this.emulator.caCertificatePem()));
    }
}
