package dev.iothub.emulator;

/** A listener of {@link IotHubEmulator#subscribeTelemetry}; closing it stops the calls. */
@FunctionalInterface
public interface TelemetrySubscription extends AutoCloseable {

    @Override
    void close();
}
