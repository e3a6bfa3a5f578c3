package dev.iothub.spring.connection.network;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP proxy that opens tunnels with {@code CONNECT}, optionally with Basic authentication. Its
 * {@link #toString()} never shows the password.
 *
 * @param host the proxy's host name or address
 * @param port the proxy's port
 * @param username the user for Basic authentication, or {@code null} for none
 * @param password the password, or {@code null} for none; a secret
 * @author iothub-spring-boot
 * @since 0.2.0
 */
public record HttpProxy(String host, int port, @Nullable String username, @Nullable String password) {

    /** The proxy's address as {@code host:port}, for messages. */
    public String address() {
        return HttpConnectTunnel.authority(this.host, this.port);
    }

    @Override
    public String toString() {
        return "HttpProxy[" + address() + ((this.username != null) ? ", user " + this.username : "") + "]";
    }

}
