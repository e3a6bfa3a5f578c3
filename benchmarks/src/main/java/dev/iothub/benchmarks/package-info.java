/**
 * Benchmarks of the device stacks and the emulator; the entry point is {@link dev.iothub.benchmarks.BenchmarkCommand}.
 */
@NullMarked
package dev.iothub.benchmarks;

import org.jspecify.annotations.NullMarked;
