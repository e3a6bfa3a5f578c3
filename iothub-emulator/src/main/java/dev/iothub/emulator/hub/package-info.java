/**
 * Hub services: the device registry, twins, direct-method correlation, cloud-to-device queues and the telemetry log.
 * Independent of the wire: device connections reach the hub through {@link dev.iothub.emulator.hub.DeviceLink}.
 */
package dev.iothub.emulator.hub;
