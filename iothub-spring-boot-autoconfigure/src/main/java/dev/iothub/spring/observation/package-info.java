/**
 * Micrometer Observation support: the observations of telemetry sends, handler invocations and twin requests, their
 * contexts and their replaceable conventions.
 */
@NullMarked
package dev.iothub.spring.observation;

import org.jspecify.annotations.NullMarked;
