/**
 * Hub services: the device registry, each identity's current connection, twins, direct-method correlation,
 * cloud-to-device queues and the telemetry log, behind {@link dev.iothub.emulator.hub.Hub}. Independent of the wire:
 * device connections reach the hub through {@link dev.iothub.emulator.hub.DeviceLink}, and only they build topics.
 */
@NullMarked
package dev.iothub.emulator.hub;

import org.jspecify.annotations.NullMarked;
