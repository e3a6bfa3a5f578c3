package dev.iothub.benchmarks.telemetry;

import dev.iothub.emulator.IotHubEmulator;

/**
 * Where a telemetry scenario sends: a device registered on a running emulator, and the body to send.
 *
 * @param hub the emulator (listening on its {@code hubName()} at {@code mqttPort()})
 * @param deviceId a registered device used by this scenario only
 * @param payload the body of every message
 */
public record TelemetryTarget(IotHubEmulator hub, String deviceId, byte[] payload) {
}
