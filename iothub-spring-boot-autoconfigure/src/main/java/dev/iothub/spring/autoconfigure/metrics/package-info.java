/**
 * Auto-configuration of the IoT Hub Micrometer meters.
 */
@NullMarked
package dev.iothub.spring.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
