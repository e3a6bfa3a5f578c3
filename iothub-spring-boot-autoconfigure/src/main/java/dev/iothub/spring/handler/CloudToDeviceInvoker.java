package dev.iothub.spring.handler;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.expression.EvaluationContext;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.SimpleEvaluationContext;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.handler.invocation.MethodArgumentResolutionException;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeTypeUtils;

import dev.iothub.protocol.SystemProperties;
import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.event.CloudToDeviceHandlerFailedEvent;
import dev.iothub.spring.inbound.CloudToDeviceMessage;
import dev.iothub.spring.inbound.CloudToDeviceMessageHandler;
import dev.iothub.spring.messaging.IotHubHeaders;

/**
 * Hands each cloud-to-device message to the {@link C2DHandler} methods whose condition matches, retrying a failing
 * handler a bounded number of times before reporting the failure (an event) and throwing it once every handler ran,
 * so that the dispatcher logs it and the observation records it; the message is acknowledged either way.
 */
final class CloudToDeviceInvoker implements CloudToDeviceMessageHandler {

    private static final Log logger = LogFactory.getLog(CloudToDeviceInvoker.class);

    private static final SpelExpressionParser parser = new SpelExpressionParser();

    private static final Set<String> FRAMEWORK_HEADERS = Set.of(MessageHeaders.ID, MessageHeaders.TIMESTAMP,
            MessageHeaders.CONTENT_TYPE, MessageHeaders.REPLY_CHANNEL, MessageHeaders.ERROR_CHANNEL);

    private static final String IOTHUB_HEADER_PREFIX = "iothub_";

    /** {@code IotHubHeaders.PROPERTIES}, still set for one release. */
    @SuppressWarnings("removal")
    private static final String DEPRECATED_PROPERTIES_HEADER = IotHubHeaders.PROPERTIES;

    private final List<Target> targets;

    private final int maxAttempts;

    private final ApplicationEventPublisher eventPublisher;

    CloudToDeviceInvoker(List<Target> targets, int maxAttempts, ApplicationEventPublisher eventPublisher) {
        this.targets = targets;
        this.maxAttempts = maxAttempts;
        this.eventPublisher = eventPublisher;
    }

    /** A handler method with its optional condition. */
    static Target target(HandlerMethodEndpoint endpoint, C2DHandler annotation, IotHubHandlerMethodFactory factory) {
        Expression condition = annotation.condition().isEmpty() ? null
                : parser.parseExpression(annotation.condition());
        return new Target(endpoint, factory.create(endpoint.bean(), endpoint.method()), condition);
    }

    /**
     * Runs every matching handler.
     *
     * @throws Exception the failure of a handler that failed on every attempt, or whose parameters could not be
     * bound (the others' suppressed), after every handler ran and each failure was reported
     */
    @Override
    public void handle(CloudToDeviceMessage received) throws Exception {
        Message<byte[]> message = toMessage(received);
        boolean handled = false;
        Exception failure = null;
        for (Target target : this.targets) {
            if (target.matches(message)) {
                handled = true;
                Exception failed = invokeWithRetries(target, message, received);
                if (failure == null) {
                    failure = failed;
                }
                else if (failed != null) {
                    failure.addSuppressed(failed);
                }
            }
        }
        if (!handled) {
            logger.warn("No @C2DHandler matched cloud-to-device message " + received.messageId()
                    + "; it is completed unhandled");
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Invokes a handler until it returns; its reported failure if it never did. */
    private @Nullable Exception invokeWithRetries(Target target, Message<byte[]> message,
            CloudToDeviceMessage received) {
        for (int attempt = 1; attempt <= this.maxAttempts; attempt++) {
            try {
                target.method.invoke(MessageBuilder.fromMessage(message)
                    .setHeader(IotHubHeaders.DELIVERY_ATTEMPT, attempt)
                    .build(), received);
                return null;
            }
            catch (Exception ex) {
                boolean unbindable = ex instanceof MethodArgumentResolutionException
                        || ex instanceof MessageConversionException;
                if (unbindable || attempt == this.maxAttempts) {
                    return report(target, received, unbindable ? 1 : attempt, ex);
                }
                logger.debug("Cloud-to-device handler " + target.endpoint.description() + " failed on attempt "
                        + attempt + "; retrying", ex);
            }
        }
        return null;
    }

    /** Publishes the failure; the exception returned, which keeps the cause, is logged by the dispatcher. */
    private Exception report(Target target, CloudToDeviceMessage received, int attempts, Exception ex) {
        this.eventPublisher.publishEvent(new CloudToDeviceHandlerFailedEvent(this, received.messageId(),
                target.endpoint.description(), attempts, ex));
        return new IotHubException("Cloud-to-device handler " + target.endpoint.description() + " failed on message "
                + received.messageId() + " after " + attempts + " attempt(s)", ex);
    }

    /**
     * The message handed to handlers. Application properties become headers under their own names, except names of
     * headers the framework owns ({@code id}, {@code timestamp}, {@code contentType}, {@code replyChannel},
     * {@code errorChannel} and every {@code iothub_} name), which only {@link IotHubHeaders#APPLICATION_PROPERTIES}
     * holds.
     */
    private static Message<byte[]> toMessage(CloudToDeviceMessage received) {
        MessageBuilder<byte[]> builder = MessageBuilder.withPayload(received.payload());
        Map<String, @Nullable String> application = received.applicationProperties();
        application.forEach((name, value) -> {
            if (value != null && !isFrameworkHeader(name)) {
                builder.setHeader(name, value);
            }
        });
        builder.setHeader(IotHubHeaders.APPLICATION_PROPERTIES, Collections.unmodifiableMap(application));
        Map<String, @Nullable String> properties = received.properties();
        setIfPresent(builder, IotHubHeaders.MESSAGE_ID, received.messageId());
        setIfPresent(builder, IotHubHeaders.CORRELATION_ID, received.correlationId());
        setIfPresent(builder, IotHubHeaders.CONTENT_ENCODING, properties.get(SystemProperties.CONTENT_ENCODING));
        builder.setHeader(IotHubHeaders.PROPERTY_BAG, properties);
        builder.setHeader(DEPRECATED_PROPERTIES_HEADER, properties);
        String contentType = received.contentType();
        if (contentType != null && !contentType.isBlank()) {
            try {
                builder.setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.parseMimeType(contentType));
            }
            catch (InvalidMimeTypeException ex) {
                logger.debug("Ignoring the invalid content type of cloud-to-device message " + received.messageId());
            }
        }
        return builder.build();
    }

    private static boolean isFrameworkHeader(String name) {
        return FRAMEWORK_HEADERS.contains(name) || name.startsWith(IOTHUB_HEADER_PREFIX);
    }

    private static void setIfPresent(MessageBuilder<byte[]> builder, String header, @Nullable String value) {
        if (value != null) {
            builder.setHeader(header, value);
        }
    }

    record Target(HandlerMethodEndpoint endpoint, InvocableHandlerMethod method, @Nullable Expression condition) {

        boolean matches(Message<byte[]> message) {
            if (this.condition == null) {
                return true;
            }
            EvaluationContext context = SimpleEvaluationContext.forReadOnlyDataBinding()
                .withRootObject(message)
                .build();
            try {
                return Boolean.TRUE.equals(this.condition.getValue(context, Boolean.class));
            }
            catch (RuntimeException ex) {
                logger.warn("The condition of " + this.endpoint.description() + " failed: " + ex.getMessage());
                return false;
            }
        }

    }

}
