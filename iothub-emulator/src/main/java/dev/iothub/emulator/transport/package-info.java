/**
 * Transport: the TLS certificate and the device listeners (MQTT over TLS, MQTT over WebSocket) with their shared
 * pipeline.
 */
@NullMarked
package dev.iothub.emulator.transport;

import org.jspecify.annotations.NullMarked;
