/**
 * The sockets under the MQTT connection: TCP to the hub or through an HTTP proxy's CONNECT tunnel, then TLS.
 */
@NullMarked
package dev.iothub.spring.connection.network;

import org.jspecify.annotations.NullMarked;
