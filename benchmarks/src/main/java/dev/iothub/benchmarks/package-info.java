/**
 * Benchmarks of the device stacks and the emulator; the entry point is {@link dev.iothub.benchmarks.BenchmarkCommand}.
 */
package dev.iothub.benchmarks;
