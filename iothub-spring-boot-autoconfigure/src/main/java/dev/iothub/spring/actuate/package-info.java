/**
 * The {@code iothub} actuator endpoint.
 */
@NullMarked
package dev.iothub.spring.actuate;

import org.jspecify.annotations.NullMarked;
