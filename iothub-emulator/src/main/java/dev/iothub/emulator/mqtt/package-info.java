/**
 * Device sessions: CONNECT authentication, keep-alive, subscriptions, the QoS 1 window and the translation of MQTT
 * packets into hub operations.
 */
package dev.iothub.emulator.mqtt;
