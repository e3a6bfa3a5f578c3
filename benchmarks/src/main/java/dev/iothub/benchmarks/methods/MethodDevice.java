package dev.iothub.benchmarks.methods;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.emulator.IotHubEmulator;

/**
 * A device stack that answers direct methods with status 200 and the request payload.
 * <p>
 * To measure the starter's {@code @DirectMethod}, implement this interface with a small Spring application and add
 * it to {@link MethodRoundTripBenchmark#devices}.
 */
public interface MethodDevice {

    /** The row label. */
    String subject();

    /** Connects the registered device and returns once it is subscribed to methods; closing it disconnects. */
    AutoCloseable open(IotHubEmulator hub, String deviceId, Deadline deadline) throws Exception;
}
