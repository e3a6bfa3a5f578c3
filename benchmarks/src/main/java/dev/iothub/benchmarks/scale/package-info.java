/**
 * Scenario 4: the emulator (in a child JVM) under thousands of TLS device connections from a Netty-based fleet of
 * simulated devices.
 */
@NullMarked
package dev.iothub.benchmarks.scale;

import org.jspecify.annotations.NullMarked;
