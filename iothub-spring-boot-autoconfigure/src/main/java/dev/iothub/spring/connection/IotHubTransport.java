package dev.iothub.spring.connection;

/**
 * How the device reaches IoT Hub: MQTT over TLS on port 8883, or MQTT over a WebSocket over TLS on port 443 for
 * networks that allow only HTTPS. Both carry the same MQTT session; with an HTTP proxy both go through its tunnel.
 *
 * @author iothub-spring-boot
 * @since 0.2.0
 */
public enum IotHubTransport {

    /** MQTT 3.1.1 over TLS, port 8883. */
    MQTT(8883),

    /** MQTT 3.1.1 in binary WebSocket frames over TLS, path {@code /$iothub/websocket}, port 443. */
    MQTT_WS(443);

    /** The path of IoT Hub's MQTT-over-WebSocket endpoint. */
    public static final String WEB_SOCKET_PATH = "/$iothub/websocket";

    private final int defaultPort;

    IotHubTransport(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    /** The port IoT Hub serves this transport on. */
    public int defaultPort() {
        return this.defaultPort;
    }

    /** The value of {@code iothub.transport} that selects this transport. */
    public String propertyValue() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

}
