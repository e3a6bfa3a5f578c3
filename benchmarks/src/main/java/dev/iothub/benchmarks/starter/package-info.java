/**
 * The starter's rows: its telemetry API, its Spring Integration channel and {@code @DirectMethod}, each in a real
 * Spring Boot application connected to the in-process emulator.
 */
@NullMarked
package dev.iothub.benchmarks.starter;

import org.jspecify.annotations.NullMarked;
