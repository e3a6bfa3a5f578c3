package dev.iothub.spring.handler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.twin.IotHubTwinTemplate;

/**
 * The annotated handler methods found in the application, checked for conflicts and registered with the
 * {@link IotHubInboundRouter}.
 */
final class IotHubHandlerEndpointRegistry {

    private final Map<String, List<HandlerMethodEndpoint>> directMethods = new LinkedHashMap<>();

    private final List<Listener> desiredListeners = new ArrayList<>();

    private final List<CloudToDeviceHandler> cloudToDeviceHandlers = new ArrayList<>();

    void addDirectMethod(HandlerMethodEndpoint endpoint, DirectMethod annotation) {
        String name = annotation.value().isEmpty() ? endpoint.method().getName() : annotation.value();
        this.directMethods.computeIfAbsent(name, (key) -> new ArrayList<>()).add(endpoint);
    }

    void addDesiredPropertyListener(HandlerMethodEndpoint endpoint, DesiredPropertyListener annotation) {
        this.desiredListeners.add(new Listener(endpoint, annotation));
    }

    void addCloudToDeviceHandler(HandlerMethodEndpoint endpoint, C2DHandler annotation) {
        this.cloudToDeviceHandlers.add(new CloudToDeviceHandler(endpoint, annotation));
    }

    /** Whether no annotated handler was found. */
    boolean isEmpty() {
        return this.directMethods.isEmpty() && this.desiredListeners.isEmpty() && this.cloudToDeviceHandlers.isEmpty();
    }

    /**
     * Fails when two handlers share a direct-method name.
     *
     * @throws DuplicateDirectMethodException naming the method and both handlers
     */
    void validate() {
        this.directMethods.forEach((name, endpoints) -> {
            if (endpoints.size() > 1) {
                throw new DuplicateDirectMethodException(name,
                        endpoints.stream().map(HandlerMethodEndpoint::description).toList());
            }
        });
    }

    /** What was found, in discovery order. */
    IotHubHandlerMethods describe() {
        Map<String, String> methods = new LinkedHashMap<>();
        this.directMethods.forEach((name, endpoints) -> methods.put(name, endpoints.get(0).description()));
        return new IotHubHandlerMethods(Collections.unmodifiableMap(methods),
                this.desiredListeners.stream()
                    .map((listener) -> new IotHubHandlerMethods.DesiredPropertyListenerMethod(
                            listener.endpoint.description(), emptyToNull(listener.annotation.value()),
                            listener.annotation.acknowledge()))
                    .toList(),
                this.cloudToDeviceHandlers.stream()
                    .map((handler) -> new IotHubHandlerMethods.CloudToDeviceHandlerMethod(
                            handler.endpoint.description(), emptyToNull(handler.annotation.condition())))
                    .toList());
    }

    private static @Nullable String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    /** Registers every handler with the router. */
    void registerWith(IotHubInboundRouter router, IotHubHandlerMethodFactory factory, IotHubTwinTemplate twinTemplate,
            ApplicationEventPublisher eventPublisher, int cloudToDeviceMaxAttempts) {
        validate();
        this.directMethods.forEach((name, endpoints) -> router.addDirectMethodHandler(name,
                new DirectMethodInvoker(endpoints.get(0), factory)));
        this.desiredListeners.forEach((listener) -> router.addDesiredPropertiesHandler(
                new DesiredPropertyInvoker(listener.endpoint, listener.annotation, factory, twinTemplate)));
        if (!this.cloudToDeviceHandlers.isEmpty()) {
            List<CloudToDeviceInvoker.Target> targets = this.cloudToDeviceHandlers.stream()
                .map((handler) -> CloudToDeviceInvoker.target(handler.endpoint, handler.annotation, factory))
                .toList();
            router.addCloudToDeviceHandler(
                    new CloudToDeviceInvoker(targets, cloudToDeviceMaxAttempts, eventPublisher));
        }
    }

    private record Listener(HandlerMethodEndpoint endpoint, DesiredPropertyListener annotation) {
    }

    private record CloudToDeviceHandler(HandlerMethodEndpoint endpoint, C2DHandler annotation) {
    }

}
