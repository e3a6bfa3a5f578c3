/**
 * The IoT Hub device MQTT dialect as plain Java: connection strings, SAS tokens, topic names and property bags.
 */
@NullMarked
package dev.iothub.protocol;

import org.jspecify.annotations.NullMarked;
