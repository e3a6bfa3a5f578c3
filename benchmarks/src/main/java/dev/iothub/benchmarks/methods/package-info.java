/**
 * Scenario 2: direct-method round trips from the emulator's service API through a device's handler and back.
 */
@NullMarked
package dev.iothub.benchmarks.methods;

import org.jspecify.annotations.NullMarked;
