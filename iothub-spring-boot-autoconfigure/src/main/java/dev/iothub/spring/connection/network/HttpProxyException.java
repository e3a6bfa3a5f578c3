package dev.iothub.spring.connection.network;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP proxy did not open the tunnel: it could not be reached, refused the {@code CONNECT} (for example
 * {@code 407}, {@code 403} or {@code 502}), answered something that is not HTTP, or closed the connection. The message
 * names the proxy, the target and the proxy's status line, never a password.
 *
 * @author iothub-spring-boot
 * @since 0.2.0
 */
public class HttpProxyException extends IOException {

    private final String proxy;

    private final String target;

    private final int statusCode;

    /**
     * Creates the exception.
     *
     * @param proxy the proxy as {@code host:port}
     * @param target the tunnel's target as {@code host:port}
     * @param statusCode the proxy's status code, or 0 when it gave none
     * @param message what happened
     * @param cause the underlying failure, or {@code null}
     */
    public HttpProxyException(String proxy, String target, int statusCode, String message,
            @Nullable Throwable cause) {
        super(message, cause);
        this.proxy = proxy;
        this.target = target;
        this.statusCode = statusCode;
    }

    /** The proxy as {@code host:port}. */
    public String getProxy() {
        return this.proxy;
    }

    /** The target of the tunnel as {@code host:port}. */
    public String getTarget() {
        return this.target;
    }

    /** The status code of the proxy's answer, or 0 when there was no valid answer. */
    public int getStatusCode() {
        return this.statusCode;
    }

}
