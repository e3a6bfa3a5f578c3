package dev.iothub.spring.event;

/**
 * Why the device is not connected.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public enum DisconnectReason {

    /** The network connection broke or the hub closed it (for example because another client used the same
     * identity). */
    CONNECTION_LOST,

    /** The hub closed the connection because the SAS token expired. */
    SAS_TOKEN_EXPIRED,

    /** The hub refused the credentials (CONNACK 5 or 4). */
    NOT_AUTHORIZED,

    /** The hub could not be reached or refused the connection for another reason. */
    CONNECT_FAILED,

    /** The hub refused a subscription. */
    SUBSCRIBE_FAILED,

    /**
     * The SSL bundle of an X.509 device changed (a rotated certificate or trust store): the connection was closed on
     * purpose to reconnect with it; messages waited and none was lost.
     */
    CERTIFICATE_ROTATED,

    /** The application stopped the connection. */
    APPLICATION_STOPPED

}
