/**
 * Routing of raw messages from the hub (cloud-to-device messages, direct-method requests and desired-property
 * changes) to registered handlers.
 */
@NullMarked
package dev.iothub.spring.inbound;

import org.jspecify.annotations.NullMarked;
