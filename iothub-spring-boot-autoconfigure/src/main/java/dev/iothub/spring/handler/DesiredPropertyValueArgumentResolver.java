package dev.iothub.spring.handler;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.messaging.Message;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.messaging.IotHubHeaders;

/**
 * Resolves the value parameter of a {@link DesiredPropertyListener} that names a property: the first parameter that
 * is neither a header, a message nor the {@link DesiredPropertiesUpdate} receives the property's value converted by Jackson to the parameter's type;
 * a removed property becomes {@code null} or {@link Optional#empty()}.
 */
final class DesiredPropertyValueArgumentResolver implements HandlerMethodArgumentResolver {

    /** Internal header carrying the property's value as a {@link DesiredPropertyValue}. */
    static final String VALUE_HEADER = "iothub_desiredValue";

    private final JsonMapper jsonMapper;

    DesiredPropertyValueArgumentResolver(JsonMapper jsonMapper) {
        this.jsonMapper = jsonMapper;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        DesiredPropertyListener listener = AnnotatedElementUtils.findMergedAnnotation(parameter.getMethod(),
                DesiredPropertyListener.class);
        return listener != null && !listener.value().isEmpty() && isValueParameter(parameter)
                && parameter.getParameterIndex() == firstValueParameterIndex(parameter);
    }

    @Override
    public @Nullable Object resolveArgument(MethodParameter parameter, Message<?> message) {
        DesiredPropertyValue header = (DesiredPropertyValue) message.getHeaders().get(VALUE_HEADER);
        JsonNode value = (header != null) ? header.value() : null;
        boolean optional = parameter.getParameterType() == Optional.class;
        if (value == null || value.isNull()) {
            if (parameter.getParameterType().isPrimitive()) {
                throw new MessageConversionException(message, "Desired property '"
                        + message.getHeaders().get(IotHubHeaders.DESIRED_PROPERTY)
                        + "' was removed but parameter " + parameter.getParameterIndex() + " of "
                        + parameter.getMethod() + " is primitive; use a wrapper type or Optional to receive removals");
            }
            return optional ? Optional.empty() : null;
        }
        JavaType type = this.jsonMapper.constructType(
                optional ? parameter.nested().getNestedGenericParameterType() : parameter.getGenericParameterType());
        try {
            Object converted = this.jsonMapper.convertValue(value, type);
            return optional ? Optional.ofNullable(converted) : converted;
        }
        catch (RuntimeException ex) {
            throw new MessageConversionException(message, "Cannot convert the value of desired property '"
                    + message.getHeaders().get(IotHubHeaders.DESIRED_PROPERTY) + "' to " + type + ": " + header, ex);
        }
    }

    private static int firstValueParameterIndex(MethodParameter parameter) {
        for (int index = 0; index < parameter.getExecutable().getParameterCount(); index++) {
            if (isValueParameter(MethodParameter.forExecutable(parameter.getExecutable(), index))) {
                return index;
            }
        }
        return -1;
    }

    private static boolean isValueParameter(MethodParameter parameter) {
        return !parameter.hasParameterAnnotation(Header.class) && !parameter.hasParameterAnnotation(Headers.class)
                && !Message.class.isAssignableFrom(parameter.getParameterType())
                && parameter.getParameterType() != DesiredPropertiesUpdate.class;
    }

}
