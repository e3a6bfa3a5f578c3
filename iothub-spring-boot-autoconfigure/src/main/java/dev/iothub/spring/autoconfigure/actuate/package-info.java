/**
 * Auto-configuration of the {@code iothub} actuator endpoint.
 */
@NullMarked
package dev.iothub.spring.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
