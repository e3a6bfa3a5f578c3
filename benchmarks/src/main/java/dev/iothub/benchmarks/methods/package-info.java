/**
 * Scenario 2: direct-method round trips from the emulator's service API through a device's handler and back.
 */
package dev.iothub.benchmarks.methods;
