package dev.iothub.spring.autoconfigure.health;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.health.IotHubHealthIndicator;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link IotHubHealthIndicator}; switch it off with
 * {@code management.health.iothub.enabled=false}.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(after = IotHubAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class, IotHubClientManager.class })
@ConditionalOnBean(IotHubClientManager.class)
@ConditionalOnEnabledHealthIndicator("iothub")
public final class IotHubHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "iotHubHealthIndicator")
    IotHubHealthIndicator iotHubHealthIndicator(IotHubClientManager clientManager) {
        return new IotHubHealthIndicator(clientManager);
    }

}
