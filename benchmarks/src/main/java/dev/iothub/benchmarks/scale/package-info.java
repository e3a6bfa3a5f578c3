/**
 * Scenario 4: the emulator (in a child JVM) under thousands of TLS device connections from a Netty-based fleet of
 * simulated devices.
 */
package dev.iothub.benchmarks.scale;
