/**
 * The device twin: reading it, patching reported properties and the reconnection flow for desired properties.
 */
@NullMarked
package dev.iothub.spring.twin;

import org.jspecify.annotations.NullMarked;
