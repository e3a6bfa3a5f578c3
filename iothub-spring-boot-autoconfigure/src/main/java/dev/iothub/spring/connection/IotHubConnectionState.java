package dev.iothub.spring.connection;

/**
 * The state of the device connection.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public enum IotHubConnectionState {

    /** Not started, or stopped. */
    STOPPED,

    /** Opening the connection and subscribing. */
    CONNECTING,

    /** Connected and subscribed. */
    CONNECTED,

    /**
     * Reconnecting on purpose to present a fresh SAS token, or a rotated X.509 certificate; messages wait and nothing
     * is lost.
     */
    RENEWING_TOKEN,

    /** Not connected; waiting before the next attempt. */
    RECONNECTING,

    /** Not connected and not retrying, because the pre-built SAS token has expired. */
    EXPIRED

}
