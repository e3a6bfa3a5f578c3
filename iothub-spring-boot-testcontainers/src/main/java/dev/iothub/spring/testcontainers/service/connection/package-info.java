/**
 * {@code @ServiceConnection} support: connection details for an application connecting to an
 * {@link dev.iothub.spring.testcontainers.IotHubEmulatorContainer}.
 */
@NullMarked
package dev.iothub.spring.testcontainers.service.connection;

import org.jspecify.annotations.NullMarked;
