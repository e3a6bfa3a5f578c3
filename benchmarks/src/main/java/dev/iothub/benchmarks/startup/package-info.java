/**
 * Scenario 3: start-up time and memory of a minimal device application in its own JVM.
 */
package dev.iothub.benchmarks.startup;
