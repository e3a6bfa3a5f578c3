/**
 * The emulator's Device Provisioning Service: enrollments, registrations and their operations, behind
 * {@link dev.iothub.emulator.dps.ProvisioningService}; it assigns devices to the hub by registering them in the hub's
 * registry. Independent of the wire: the MQTT session turns its {@link dev.iothub.emulator.dps.ProvisioningResponse}s
 * into topics.
 */
@NullMarked
package dev.iothub.emulator.dps;

import org.jspecify.annotations.NullMarked;
