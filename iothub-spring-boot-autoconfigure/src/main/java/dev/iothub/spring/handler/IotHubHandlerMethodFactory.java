package dev.iothub.spring.handler;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.JacksonJsonMessageConverter;
import org.springframework.messaging.converter.MessageConverter;
import org.springframework.messaging.converter.StringMessageConverter;
import org.springframework.messaging.handler.annotation.support.DefaultMessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;

import dev.iothub.spring.messaging.IotHubPayloadWriter;

/**
 * Creates invocable handler methods with spring-messaging's {@link DefaultMessageHandlerMethodFactory}: payloads bind
 * through a {@link CompositeMessageConverter} ({@code byte[]}, {@code String} and JSON through Boot's
 * {@link JsonMapper}), plus the IoT Hub argument resolvers and whatever {@link IotHubHandlerConfigurer} beans add.
 */
public final class IotHubHandlerMethodFactory {

    private final DefaultMessageHandlerMethodFactory factory = new DefaultMessageHandlerMethodFactory();

    private final JsonMapper jsonMapper;

    private final IotHubPayloadWriter payloadWriter;

    /**
     * Creates the factory.
     *
     * @param jsonMapper the application's JSON mapper
     * @param beanFactory for {@code @Header} default-value expressions
     * @param configurers the user's customizations
     */
    public IotHubHandlerMethodFactory(JsonMapper jsonMapper, BeanFactory beanFactory,
            List<IotHubHandlerConfigurer> configurers) {
        this.jsonMapper = jsonMapper;
        this.payloadWriter = new IotHubPayloadWriter(jsonMapper);
        List<MessageConverter> converters = new ArrayList<>(List.of(new AnyContentTypeByteArrayConverter(),
                new AnyContentTypeStringConverter(), new JacksonJsonMessageConverter(jsonMapper)));
        List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>(
                List.of(new DesiredPropertyValueArgumentResolver(jsonMapper)));
        configurers.forEach((configurer) -> {
            configurer.configureMessageConverters(converters);
            configurer.configureArgumentResolvers(resolvers);
        });
        this.factory.setMessageConverter(new CompositeMessageConverter(converters));
        this.factory.setCustomArgumentResolvers(resolvers);
        this.factory.setBeanFactory(beanFactory);
        this.factory.afterPropertiesSet();
    }

    /** An invocable method bound to its bean. */
    public InvocableHandlerMethod create(Object bean, Method method) {
        return this.factory.createInvocableHandlerMethod(bean, method);
    }

    /** The JSON mapper that reads desired properties and writes acknowledgements. */
    public JsonMapper jsonMapper() {
        return this.jsonMapper;
    }

    /** Writes direct-method results, with the application's JSON mapper. */
    public IotHubPayloadWriter payloadWriter() {
        return this.payloadWriter;
    }

    /** Binds a body to {@code byte[]} whatever its content type. */
    private static final class AnyContentTypeByteArrayConverter extends ByteArrayMessageConverter {

        @Override
        protected boolean supportsMimeType(MessageHeaders headers) {
            return true;
        }

    }

    /** Binds a body to {@code String} whatever its content type, so JSON text can be received as is. */
    private static final class AnyContentTypeStringConverter extends StringMessageConverter {

        @Override
        protected boolean supportsMimeType(MessageHeaders headers) {
            return true;
        }

    }

}
