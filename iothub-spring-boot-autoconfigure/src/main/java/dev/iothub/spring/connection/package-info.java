/**
 * The single MQTT connection of a device or module: the client manager, the state machine that connects, subscribes,
 * reconnects and renews the SAS token, and the queue that publishes.
 */
@NullMarked
package dev.iothub.spring.connection;

import org.jspecify.annotations.NullMarked;
