package dev.iothub.spring.autoconfigure.health;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.iothub.spring.autoconfigure.IotHubProvisioningAutoConfiguration;
import dev.iothub.spring.health.IotHubProvisioningHealthIndicator;
import dev.iothub.spring.provisioning.DeviceProvisioner;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link IotHubProvisioningHealthIndicator}; switch it off
 * with {@code management.health.iothub-provisioning.enabled=false}.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(after = IotHubProvisioningAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class, DeviceProvisioner.class })
@ConditionalOnBean(DeviceProvisioner.class)
@ConditionalOnEnabledHealthIndicator("iothub-provisioning")
public final class IotHubProvisioningHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "iotHubProvisioningHealthIndicator")
    IotHubProvisioningHealthIndicator iotHubProvisioningHealthIndicator(DeviceProvisioner provisioner) {
        return new IotHubProvisioningHealthIndicator(provisioner);
    }

}
