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
 * Receives desired-property changes of the device twin.
 * <p>
 * With a property name (a dotted path such as {@code "thermostat.targetTemperature"} for nested values) the first
 * unannotated parameter receives that value converted to its type, and only when the value changed; a removed
 * property arrives as {@code null} or an empty {@link java.util.Optional}. Without a name it receives the whole patch
 * (for example as a {@code Map<String, Object>} or a POJO). {@link IotHubHeaders#TWIN_VERSION} carries the desired
 * {@code $version}.
 * <p>
 * Listeners are called once at start-up with the current desired properties, on every change, and after a
 * reconnect for changes made while the device was offline; never twice for the same {@code $version}.
 *
 * <pre>{@code
 * @DesiredPropertyListener("targetTemperature")
 * void onTarget(double celsius) { ... }
 * }</pre>
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@MessageMapping
public @interface DesiredPropertyListener {

    /** The desired property to receive, as a dotted path; the whole patch when empty. */
    @AliasFor("property")
    String value() default "";

    /** Alias for {@link #value()}. */
    @AliasFor("value")
    String property() default "";

    /**
     * Whether to acknowledge the property in the reported properties after the listener ran, following the IoT Plug
     * and Play writable-property convention: {@code {"value":..,"ac":200,"av":<version>}}, or {@code "ac":500} with the
     * error in {@code "ad"} when the listener threw. Only for listeners with a property name.
     */
    boolean acknowledge() default false;

}
