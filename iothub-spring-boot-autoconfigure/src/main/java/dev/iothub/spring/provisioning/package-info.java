/**
 * Zero-touch provisioning through the Device Provisioning Service: the registration over MQTT, the cached
 * assignment, and the provisioner that registers at first boot and again when the hub refuses the device.
 */
@NullMarked
package dev.iothub.spring.provisioning;

import org.jspecify.annotations.NullMarked;
