/**
 * Transport: the TLS certificate, the Netty MQTT listener and its pipeline.
 */
package dev.iothub.emulator.transport;
