/**
 * The telemetry buffer benchmark: storage candidates for the disk buffer, and the starter with and without it.
 */
package dev.iothub.benchmarks.buffer;
