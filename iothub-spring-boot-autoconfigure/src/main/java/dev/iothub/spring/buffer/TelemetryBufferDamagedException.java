package dev.iothub.spring.buffer;

/**
 * Thrown when a stored message is read back and its record is no longer intact (the file was damaged after it was
 * written); the message is lost and the ones after it are not affected.
 */
public class TelemetryBufferDamagedException extends Exception {

    private static final long serialVersionUID = 1L;

    TelemetryBufferDamagedException(String message) {
        super(message);
    }

}
