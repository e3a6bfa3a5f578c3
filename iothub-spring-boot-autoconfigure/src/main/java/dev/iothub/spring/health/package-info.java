/**
 * Actuator health support for the IoT Hub device connection.
 */
@NullMarked
package dev.iothub.spring.health;

import org.jspecify.annotations.NullMarked;
