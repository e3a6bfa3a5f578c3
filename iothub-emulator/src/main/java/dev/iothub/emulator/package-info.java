/**
 * The IoT Hub emulator's Java service API: {@link dev.iothub.emulator.IotHubEmulator} and the values it exchanges.
 */
@NullMarked
package dev.iothub.emulator;

import org.jspecify.annotations.NullMarked;
