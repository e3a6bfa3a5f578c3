/**
 * The service REST API: a mirror of the IoT Hub service REST API (devices, twins, direct methods) plus emulator-only
 * endpoints for messages and fault injection, on top of the Java API and served with Netty's HTTP codec.
 */
package dev.iothub.emulator.rest;
