package dev.iothub.spring.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.core.env.Environment;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;

import dev.iothub.spring.handler.IotHubHandlerAnnotationBeanPostProcessor;

/**
 * Auto-configuration of annotated IoT Hub handlers: registers the bean post-processor that wires
 * {@code @DirectMethod}, {@code @DesiredPropertyListener} and {@code @C2DHandler} methods to the device connection.
 */
@AutoConfiguration(after = IotHubAutoConfiguration.class)
@ConditionalOnClass(InvocableHandlerMethod.class)
@ConditionalOnBooleanProperty(name = "iothub.handlers.enabled", matchIfMissing = true)
public final class IotHubHandlerAutoConfiguration {

    /** The name of the handler annotation post-processor; define a bean with this name to replace it. */
    public static final String HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME = "iotHubHandlerAnnotationBeanPostProcessor";

    @Bean(HANDLER_ANNOTATION_PROCESSOR_BEAN_NAME)
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static IotHubHandlerAnnotationBeanPostProcessor iotHubHandlerAnnotationBeanPostProcessor(Environment environment) {
        IotHubHandlerProperties properties = Binder.get(environment)
            .bindOrCreate("iothub.handlers", IotHubHandlerProperties.class);
        return new IotHubHandlerAnnotationBeanPostProcessor(properties.getCloudToDeviceMaxAttempts());
    }

}
