package dev.iothub.spring.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.messaging.handler.annotation.MessageMapping;

import dev.iothub.spring.messaging.IotHubHeaders;

/**
 * Receives cloud-to-device messages.
 * <p>
 * The body binds by its content type ({@code $.ct}: JSON to objects, text to {@code String}, anything to
 * {@code byte[]}); application properties are message headers under their own names ({@code @Header("priority")}),
 * and system properties are under the {@link IotHubHeaders} names. The message is acknowledged (completed at the
 * hub) after the handler returns. A handler that throws is retried a bounded number of times, then the failure is
 * logged, published as a {@link dev.iothub.spring.event.CloudToDeviceHandlerFailedEvent} and the message is
 * acknowledged, so one poison message never blocks the queue.
 *
 * <pre>{@code
 * @C2DHandler(condition = "headers['type'] == 'command'")
 * void onCommand(Command command, @Header("priority") String priority) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@MessageMapping
public @interface C2DHandler {

    /**
     * A SpEL condition on the {@link org.springframework.messaging.Message} ({@code headers}, {@code payload}) that
     * selects the messages this handler receives; every message when empty.
     */
    String condition() default "";

}
