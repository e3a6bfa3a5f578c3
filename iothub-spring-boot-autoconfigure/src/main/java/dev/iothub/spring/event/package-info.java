/**
 * Application events about the IoT Hub device connection.
 */
@NullMarked
package dev.iothub.spring.event;

import org.jspecify.annotations.NullMarked;
