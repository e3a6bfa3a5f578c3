/**
 * Messaging vocabulary shared by telemetry and handlers: header names.
 */
@NullMarked
package dev.iothub.spring.messaging;

import org.jspecify.annotations.NullMarked;
