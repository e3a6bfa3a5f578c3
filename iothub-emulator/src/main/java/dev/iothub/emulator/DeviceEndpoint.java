package dev.iothub.emulator;

/**
 * The device endpoints of the hub, each serving the same hub: MQTT over TLS (IoT Hub's port 8883) and MQTT over
 * WebSocket over TLS (port 443, path {@code /$iothub/websocket}, for networks that let only HTTPS through).
 */
public enum DeviceEndpoint {

    /** MQTT 3.1.1 over TLS. */
    MQTT("mqtt"),

    /** MQTT 3.1.1 in binary WebSocket frames over TLS, subprotocol {@code mqtt}. */
    MQTT_WEBSOCKET("mqtt-ws");

    private final String wireName;

    DeviceEndpoint(String wireName) {
        this.wireName = wireName;
    }

    /** The endpoint's name in the REST API and the emulator's output: {@code mqtt} or {@code mqtt-ws}. */
    public String wireName() {
        return this.wireName;
    }
}
