/**
 * The IoT Hub emulator's Java service API: {@link dev.iothub.emulator.IotHubEmulator} and the values it exchanges.
 */
package dev.iothub.emulator;
