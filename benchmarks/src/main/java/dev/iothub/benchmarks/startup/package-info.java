/**
 * Scenario 3: start-up time and memory of a minimal device application in its own JVM.
 */
@NullMarked
package dev.iothub.benchmarks.startup;

import org.jspecify.annotations.NullMarked;
