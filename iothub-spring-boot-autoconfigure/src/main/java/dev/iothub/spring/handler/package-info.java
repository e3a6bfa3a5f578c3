/**
 * Annotation support for IoT Hub handlers: discovery of annotated bean methods, the endpoint registry, and
 * invocation through spring-messaging's {@code InvocableHandlerMethod}.
 */
@NullMarked
package dev.iothub.spring.handler;

import org.jspecify.annotations.NullMarked;
