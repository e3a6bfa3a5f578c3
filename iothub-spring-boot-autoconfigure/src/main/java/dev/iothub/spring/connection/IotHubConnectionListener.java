package dev.iothub.spring.connection;

/**
 * Internal hook for components that must act when the connection is up and subscribed, such as the twin
 * reconnection flow. Called on the connection thread; implementations must not block.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@FunctionalInterface
public interface IotHubConnectionListener {

    /**
     * The connection is open and the four IoT Hub filters are subscribed.
     *
     * @param reconnect whether this follows an earlier connection of the same client
     * @param tokenRenewal whether this reconnect only renewed the SAS token
     */
    void connected(boolean reconnect, boolean tokenRenewal);

}
