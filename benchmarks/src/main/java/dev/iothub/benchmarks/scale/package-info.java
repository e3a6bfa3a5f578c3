/**
 * Simulated devices by the thousand (Netty-based MQTT clients, full TLS handshakes): in a JVM of their own for the
 * harness's scale scenario ({@link dev.iothub.benchmarks.scale.ScaleFleetHost}), and for the legacy in-process
 * scale scenario with its prototype emulator variants ({@link dev.iothub.benchmarks.scale.ScaleBenchmark}).
 */
@NullMarked
package dev.iothub.benchmarks.scale;

import org.jspecify.annotations.NullMarked;
