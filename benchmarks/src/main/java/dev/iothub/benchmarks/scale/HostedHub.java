package dev.iothub.benchmarks.scale;

/**
 * What {@link EmulatorHost} needs from the hub it runs: the released emulator, or a prototype assembled from its
 * parts to try a fix.
 */
interface HostedHub extends AutoCloseable {

    int port();

    String certificatePem();

    void register(String deviceId, String primaryKey);

    int telemetryStored();

    void clearTelemetry();

    @Override
    void close();
}
