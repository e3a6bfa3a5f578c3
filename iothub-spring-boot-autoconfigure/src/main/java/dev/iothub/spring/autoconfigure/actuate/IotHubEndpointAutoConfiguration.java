package dev.iothub.spring.autoconfigure.actuate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.iothub.spring.actuate.IotHubEndpoint;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.autoconfigure.IotHubHandlerAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.handler.IotHubHandlerAnnotationBeanPostProcessor;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the {@link IotHubEndpoint}; available like any actuator
 * endpoint once exposed ({@code management.endpoints.web.exposure.include=iothub}).
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(after = { IotHubAutoConfiguration.class, IotHubHandlerAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class, IotHubClientManager.class })
@ConditionalOnBean(IotHubClientManager.class)
@ConditionalOnAvailableEndpoint(IotHubEndpoint.class)
public final class IotHubEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IotHubEndpoint iotHubEndpoint(IotHubClientManager clientManager,
            ObjectProvider<IotHubHandlerAnnotationBeanPostProcessor> handlers) {
        return new IotHubEndpoint(clientManager, () -> {
            IotHubHandlerAnnotationBeanPostProcessor processor = handlers.getIfUnique();
            return (processor != null) ? processor.getHandlerMethods() : null;
        });
    }

}
