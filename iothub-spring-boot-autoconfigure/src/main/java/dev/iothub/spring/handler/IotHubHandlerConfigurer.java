package dev.iothub.spring.handler;

import java.util.List;

import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

/**
 * Customizes how annotated IoT Hub handler methods are invoked. Declare beans of this type to add argument resolvers
 * or message converters.
 */
public interface IotHubHandlerConfigurer {

    /**
     * Adds argument resolvers; they are consulted after {@code @Header}, {@code @Headers} and {@code Message}
     * parameters and before the payload.
     */
    default void configureArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    }

    /**
     * Adjusts the message converters that bind payloads, in order: by default {@code byte[]}, {@code String} and
     * JSON through Boot's {@code JsonMapper}.
     */
    default void configureMessageConverters(List<MessageConverter> converters) {
    }

}
