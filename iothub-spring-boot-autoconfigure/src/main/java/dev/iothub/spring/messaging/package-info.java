/**
 * Messaging vocabulary shared by telemetry, the twin and handlers: header names and how payloads become bodies.
 */
@NullMarked
package dev.iothub.spring.messaging;

import org.jspecify.annotations.NullMarked;
