package dev.iothub.spring.handler;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The annotated handler methods registered with the connection, for diagnostics such as the {@code iothub}
 * actuator endpoint. Methods are named {@code beanName.methodName}.
 *
 * @param directMethods each direct-method name with the method that answers it
 * @param desiredPropertyListeners the {@code @DesiredPropertyListener} methods
 * @param cloudToDeviceHandlers the {@code @C2DHandler} methods
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record IotHubHandlerMethods(Map<String, String> directMethods,
        List<DesiredPropertyListenerMethod> desiredPropertyListeners,
        List<CloudToDeviceHandlerMethod> cloudToDeviceHandlers) {

    /**
     * A desired-property listener.
     *
     * @param method the method
     * @param property the dotted property path, or {@code null} for the whole patch
     * @param acknowledge whether the listener acknowledges the property in the reported properties
     */
    public record DesiredPropertyListenerMethod(String method, @Nullable String property, boolean acknowledge) {
    }

    /**
     * A cloud-to-device handler.
     *
     * @param method the method
     * @param condition its SpEL condition, or {@code null} for every message
     */
    public record CloudToDeviceHandlerMethod(String method, @Nullable String condition) {
    }

}
