/**
 * Device-to-cloud telemetry: a template for application code and a Spring Integration message handler for flows.
 */
@NullMarked
package dev.iothub.spring.telemetry;

import org.jspecify.annotations.NullMarked;
