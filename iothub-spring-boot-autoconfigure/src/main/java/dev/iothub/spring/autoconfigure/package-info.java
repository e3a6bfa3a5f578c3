/**
 * Auto-configuration of the IoT Hub device connection: properties, connection details and bean wiring.
 */
@NullMarked
package dev.iothub.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
