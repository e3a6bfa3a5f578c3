package dev.iothub.spring.buffer;

/**
 * Thrown when a message does not fit into the disk buffer within the time a send may wait.
 */
public class TelemetryBufferFullException extends Exception {

    private static final long serialVersionUID = 1L;

    TelemetryBufferFullException(String message) {
        super(message);
    }

}
