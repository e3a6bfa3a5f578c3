package dev.iothub.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.messaging.handler.annotation.MessageMapping;

import dev.iothub.spring.messaging.IotHubHeaders;

/**
 * Answers an IoT Hub direct method with the annotated bean method.
 * <p>
 * The JSON request body binds to the (unannotated or {@code @Payload}) parameter through Jackson; {@code @Header}
 * parameters can read {@link IotHubHeaders#METHOD_NAME} and {@link IotHubHeaders#REQUEST_ID}, and a
 * {@link dev.iothub.spring.inbound.DirectMethodRequest} parameter receives the raw request. The return value is the
 * response: an object is sent as JSON with status 200, {@code void} as 200 with an empty body, a
 * {@link MethodResponse} with its own status, and a {@link java.util.concurrent.CompletionStage} when it completes.
 * A handler exception answers 500 and a body that does not bind answers 400, each with a JSON error body; a method
 * without a handler answers 501. Two handlers for one method name fail the application's start-up.
 *
 * <pre>{@code
 * @DirectMethod("reboot")
 * RebootResult reboot(RebootRequest request) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@MessageMapping
public @interface DirectMethod {

    /** The direct method's name; the Java method's name when empty. */
    @AliasFor("name")
    String value() default "";

    /** Alias for {@link #value()}. */
    @AliasFor("value")
    String name() default "";

}
