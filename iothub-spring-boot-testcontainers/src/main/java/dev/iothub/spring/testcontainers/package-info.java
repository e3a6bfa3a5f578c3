/**
 * The IoT Hub emulator as a Testcontainers container, with a client for its service REST API.
 */
@NullMarked
package dev.iothub.spring.testcontainers;

import org.jspecify.annotations.NullMarked;
