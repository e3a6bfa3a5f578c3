package dev.iothub.emulator.rest;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.ServiceEndpoint;

/**
 * Starts the service REST API for an emulator; registered in {@code META-INF/services} for
 * {@link java.util.ServiceLoader}, through which the emulator finds it without depending on this package.
 */
public final class RestEndpointFactory implements ServiceEndpoint.Factory {

    @Override
    public ServiceEndpoint start(IotHubEmulator emulator, ServiceEndpoint.Settings settings) {
        return ServiceApiServer.bind(emulator, settings);
    }
}
