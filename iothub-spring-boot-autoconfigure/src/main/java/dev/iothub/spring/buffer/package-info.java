/**
 * The durable telemetry buffer: an append-only log on disk that holds each telemetry message until the hub
 * acknowledged it, so that messages survive outages and restarts.
 */
@NullMarked
package dev.iothub.spring.buffer;

import org.jspecify.annotations.NullMarked;
