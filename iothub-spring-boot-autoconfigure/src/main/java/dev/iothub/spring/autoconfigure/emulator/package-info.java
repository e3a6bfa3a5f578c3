/**
 * Auto-configuration of an embedded IoT Hub emulator, used when no real hub is configured.
 */
@NullMarked
package dev.iothub.spring.autoconfigure.emulator;

import org.jspecify.annotations.NullMarked;
