package dev.iothub.spring.provisioning;

/**
 * Where the Device Provisioning Service assigned the device: the hub and the device id there.
 *
 * @param hostName the assigned hub's host name, for example {@code my-hub.azure-devices.net}
 * @param deviceId the device id in that hub
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record DeviceAssignment(String hostName, String deviceId) {

}
