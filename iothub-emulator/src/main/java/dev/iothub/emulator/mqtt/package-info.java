/**
 * Device sessions: CONNECT authentication ({@link dev.iothub.emulator.mqtt.ConnectHandler}), then keep-alive,
 * subscriptions, the QoS 1 window, back-pressure and the translation between MQTT packets and hub operations
 * ({@link dev.iothub.emulator.mqtt.DeviceConnection}).
 */
@NullMarked
package dev.iothub.emulator.mqtt;

import org.jspecify.annotations.NullMarked;
