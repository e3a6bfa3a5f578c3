package dev.iothub.spring.inbound;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.observation.DefaultIotHubHandlerObservationConvention;
import dev.iothub.spring.observation.IotHubHandlerContext;
import dev.iothub.spring.observation.IotHubHandlerContext.Kind;
import dev.iothub.spring.observation.IotHubHandlerObservationConvention;
import dev.iothub.spring.observation.IotHubObservation;

/**
 * Wraps the application's handlers so that each invocation is an {@link IotHubObservation#HANDLER} observation, in
 * scope while the handler runs. The registry is read at each invocation: handlers registered before the registry
 * was set are observed too.
 */
final class ObservedHandlers {

    private static final String HANDLED = "handled";

    private static final String FAILED = "failed";

    private static final String REJECTED = "rejected";

    private final Supplier<ConnectionString> identity;

    private volatile ObservationRegistry registry = ObservationRegistry.NOOP;

    private volatile @Nullable IotHubHandlerObservationConvention convention;

    /** @param identity the connection's current identity, asked per invocation (it can change) */
    ObservedHandlers(Supplier<ConnectionString> identity) {
        this.identity = identity;
    }

    void setRegistry(ObservationRegistry registry) {
        this.registry = registry;
    }

    void setConvention(@Nullable IotHubHandlerObservationConvention convention) {
        this.convention = convention;
    }

    DirectMethodHandler directMethod(String methodName, DirectMethodHandler handler) {
        return new DirectMethodHandler() {

            @Override
            public DirectMethodResponse handle(DirectMethodRequest request) throws Exception {
                return handler.handle(request);
            }

            @Override
            public CompletionStage<DirectMethodResponse> handleAsync(DirectMethodRequest request) {
                Observation observation = start(Kind.DIRECT_METHOD, methodName);
                CompletionStage<DirectMethodResponse> outcome;
                try (Observation.Scope scope = observation.openScope()) {
                    outcome = handler.handleAsync(request);
                }
                catch (RuntimeException ex) {
                    stop(observation, "500", ex);
                    throw ex;
                }
                if (outcome == null) {
                    stop(observation, "500", null);
                    return CompletableFuture.failedFuture(new IllegalStateException("The handler returned no answer"));
                }
                return outcome.whenComplete((response, failure) -> stop(observation,
                        (failure != null) ? "500" : String.valueOf((response != null) ? response.status() : 200),
                        failure));
            }

        };
    }

    DesiredPropertiesHandler desiredProperties(DesiredPropertiesHandler handler) {
        return (update) -> observe(Kind.DESIRED_PROPERTIES, () -> handler.handle(update));
    }

    CloudToDeviceMessageHandler cloudToDevice(CloudToDeviceMessageHandler handler) {
        return (message) -> observe(Kind.CLOUD_TO_DEVICE, () -> handler.handle(message));
    }

    private void observe(Kind kind, Invocation invocation) throws Exception {
        Observation observation = start(kind, kind.tagValue());
        try (Observation.Scope scope = observation.openScope()) {
            invocation.run();
        }
        catch (Exception ex) {
            stop(observation, isUnbindable(ex) ? REJECTED : FAILED, ex);
            throw ex;
        }
        stop(observation, HANDLED, null);
    }

    /** Whether the message could not be converted to the handler's parameters: no retry could have helped. */
    private static boolean isUnbindable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MessageConversionException || cause instanceof MethodArgumentResolutionException) {
                return true;
            }
        }
        return false;
    }

    private Observation start(Kind kind, String name) {
        return IotHubObservation.HANDLER
            .observation(this.convention, DefaultIotHubHandlerObservationConvention.INSTANCE,
                    () -> new IotHubHandlerContext(kind, name, this.identity.get().deviceId(),
                            this.identity.get().moduleId()),
                    this.registry)
            .start();
    }

    private static void stop(Observation observation, String status, @Nullable Throwable failure) {
        if (observation.getContext() instanceof IotHubHandlerContext context) {
            context.setStatus(status);
        }
        if (failure != null) {
            observation.error(failure);
        }
        observation.stop();
    }

    @FunctionalInterface
    private interface Invocation {

        void run() throws Exception;

    }

}
