/**
 * Micrometer meters of the IoT Hub connection, recorded from its observations and connection events.
 */
@NullMarked
package dev.iothub.spring.metrics;

import org.jspecify.annotations.NullMarked;
