package dev.iothub.spring.twin;

import dev.iothub.spring.connection.IotHubException;

/**
 * A twin request the hub answered with an error status, for example 400 (bad patch), 412 (version mismatch),
 * 429 (throttled) or 5xx.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class TwinOperationException extends IotHubException {

    private final int status;

    public TwinOperationException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The status the hub answered with. */
    public int getStatus() {
        return this.status;
    }

    /** Whether the expected version did not match the reported version (412). */
    public boolean isPreconditionFailed() {
        return this.status == 412;
    }

    /** Whether the hub throttled the request (429); retry later. */
    public boolean isThrottled() {
        return this.status == 429;
    }

}
