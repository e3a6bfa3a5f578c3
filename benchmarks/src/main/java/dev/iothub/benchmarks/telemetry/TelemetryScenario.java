package dev.iothub.benchmarks.telemetry;

import dev.iothub.benchmarks.Deadline;

/**
 * One way of sending telemetry from one device, measured from the first send to the last acknowledgement.
 * <p>
 * To measure another stack (the starter's telemetry API, its Spring Integration channel), implement this interface
 * and add an instance to {@link TelemetryBenchmark#scenarios}.
 */
public interface TelemetryScenario {

    /** The row label, e.g. {@code (c) raw Paho MqttAsyncClient}. */
    String subject();

    /**
     * Whether the stack caps its own rate (the official SDK at its defaults): it then runs once, with the smaller
     * message count of {@code --sdk-messages}.
     */
    default boolean isThrottledByDesign() {
        return false;
    }

    /**
     * Connects the target device, sends {@code messages} copies of the target's payload at QoS 1 and returns once
     * the last one is acknowledged by the hub.
     */
    TelemetryRun run(TelemetryTarget target, int messages, Deadline deadline) throws Exception;
}
