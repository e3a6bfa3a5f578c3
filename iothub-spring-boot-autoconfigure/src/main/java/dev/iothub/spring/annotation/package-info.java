/**
 * Annotations that turn bean methods into IoT Hub handlers: {@link dev.iothub.spring.annotation.DirectMethod},
 * {@link dev.iothub.spring.annotation.DesiredPropertyListener} and {@link dev.iothub.spring.annotation.C2DHandler}.
 */
@NullMarked
package dev.iothub.spring.annotation;

import org.jspecify.annotations.NullMarked;
