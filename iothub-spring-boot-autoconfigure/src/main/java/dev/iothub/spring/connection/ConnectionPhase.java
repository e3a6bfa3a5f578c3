package dev.iothub.spring.connection;

/**
 * Where the connection can be, as the {@link ConnectionStateMachine} tracks it: each phase names its public
 * {@link IotHubConnectionState} and whether messages may flow. Finer than the public state, so that no flag is
 * needed beside it: connecting and subscribing, renewing the token and reconnecting, stopping connected or not.
 */
enum ConnectionPhase {

    /** Not started, or stopped. */
    STOPPED(IotHubConnectionState.STOPPED, false),

    /** CONNECT sent, waiting for CONNACK. */
    CONNECTING(IotHubConnectionState.CONNECTING, false),

    /** SUBSCRIBE sent, waiting for SUBACK until the deadline timer fires. */
    SUBSCRIBING(IotHubConnectionState.CONNECTING, false),

    /** Up and subscribed; the renewal (or expiry warning) timer runs. */
    CONNECTED(IotHubConnectionState.CONNECTED, true),

    /** DISCONNECT sent so that the next CONNECT presents a fresh token or a rotated certificate. */
    RENEWING_DISCONNECT(IotHubConnectionState.RENEWING_TOKEN, false),

    /** CONNECT with the fresh token or rotated certificate sent. */
    RENEWING_CONNECT(IotHubConnectionState.RENEWING_TOKEN, false),

    /** SUBSCRIBE after the renewal sent, waiting for SUBACK until the deadline timer fires. */
    RENEWING_SUBSCRIBE(IotHubConnectionState.RENEWING_TOKEN, false),

    /** A subscription failed; DISCONNECT sent, the reconnect is scheduled when it is done. */
    DROPPING(IotHubConnectionState.RECONNECTING, false),

    /** Down; the reconnect timer runs. */
    WAITING(IotHubConnectionState.RECONNECTING, false),

    /** Down for good: the pre-built SAS token expired. */
    EXPIRED(IotHubConnectionState.EXPIRED, false),

    /** Stopping while connected: no more moves, the open connection lets outstanding messages complete. */
    DRAINING(IotHubConnectionState.CONNECTED, true),

    /** Stopping while not connected: no more moves. */
    STOPPING(IotHubConnectionState.STOPPED, false);

    final IotHubConnectionState state;

    final boolean open;

    ConnectionPhase(IotHubConnectionState state, boolean open) {
        this.state = state;
        this.open = open;
    }

}
