/**
 * The IoT Hub device MQTT dialect as plain Java: connection strings, SAS tokens, topic names and property bags.
 */
package dev.iothub.protocol;
