package dev.iothub.spring.health;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.iothub.spring.provisioning.DeviceAssignment;
import dev.iothub.spring.provisioning.DeviceProvisioner;
import dev.iothub.spring.provisioning.ProvisioningSettings;

/**
 * {@link org.springframework.boot.health.contributor.HealthIndicator} for provisioning through the Device
 * Provisioning Service: UP with the assigned hub and device, and whether they came from the cache; DOWN while the
 * last re-registration failed and the device has not connected since. Never shows a key.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubProvisioningHealthIndicator extends AbstractHealthIndicator {

    private final DeviceProvisioner provisioner;

    public IotHubProvisioningHealthIndicator(DeviceProvisioner provisioner) {
        super("IoT Hub provisioning health check failed");
        this.provisioner = provisioner;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        DeviceAssignment assignment = this.provisioner.getAssignment();
        String error = this.provisioner.getLastError();
        if (assignment != null && error == null) {
            builder.up();
        }
        else {
            builder.down();
        }
        ProvisioningSettings settings = this.provisioner.getSettings();
        builder.withDetail("idScope", settings.idScope()).withDetail("registrationId", settings.registrationId());
        if (assignment != null) {
            builder.withDetail("assignedHub", assignment.hostName())
                .withDetail("deviceId", assignment.deviceId())
                .withDetail("fromCache", this.provisioner.isFromCache());
        }
        if (this.provisioner.getProvisionedAt() != null) {
            builder.withDetail("provisionedAt", this.provisioner.getProvisionedAt());
        }
        if (error != null) {
            builder.withDetail("error", error);
        }
    }

}
