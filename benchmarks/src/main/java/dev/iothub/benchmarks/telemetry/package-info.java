/**
 * Scenario 1: telemetry throughput of one device at QoS 1, one {@link dev.iothub.benchmarks.telemetry.TelemetryScenario}
 * per device stack.
 */
@NullMarked
package dev.iothub.benchmarks.telemetry;

import org.jspecify.annotations.NullMarked;
