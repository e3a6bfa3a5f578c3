/**
 * The thermostat sample: a Spring Boot device application that talks to IoT Hub through the starter.
 */
@NullMarked
package dev.iothub.sample.thermostat;

import org.jspecify.annotations.NullMarked;
