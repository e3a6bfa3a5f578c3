/**
 * Transport: the TLS certificate, the Netty MQTT listener and its pipeline.
 */
@NullMarked
package dev.iothub.emulator.transport;

import org.jspecify.annotations.NullMarked;
