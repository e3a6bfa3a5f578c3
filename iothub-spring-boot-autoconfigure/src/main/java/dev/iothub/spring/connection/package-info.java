/**
 * The single MQTT connection of a device or module: connect, subscribe, reconnect, SAS renewal and publishing.
 */
@NullMarked
package dev.iothub.spring.connection;

import org.jspecify.annotations.NullMarked;
