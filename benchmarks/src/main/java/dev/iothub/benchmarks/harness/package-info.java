/**
 * The harness: one command that starts the broker (the emulator or Mosquitto) pinned to one core and each client
 * stack in a fresh JVM pinned to the other, warms each up until its rate is flat, runs interleaved rounds, and
 * reports every run, medians, ratios to the reference and the goals as JSON.
 */
@NullMarked
package dev.iothub.benchmarks.harness;

import org.jspecify.annotations.NullMarked;
