/**
 * Auto-configuration of the IoT Hub health indicator.
 */
@NullMarked
package dev.iothub.spring.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
