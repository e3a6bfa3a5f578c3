/**
 * The service REST API: a mirror of the IoT Hub service REST API (devices, twins, direct methods) plus emulator-only
 * endpoints for messages and fault injection, served by the JDK's HTTP server on top of the Java API.
 */
package dev.iothub.emulator.rest;
