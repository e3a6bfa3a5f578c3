package dev.iothub.emulator;

/**
 * A service-side operation failed with an IoT Hub error code such as {@code 404103} (device not online),
 * {@code 504101} (device did not answer in time) or {@code 403004} (cloud-to-device queue full).
 */
public class IotHubServiceException extends RuntimeException {

    /** Device not found in the registry. */
    public static final int DEVICE_NOT_FOUND = 404001;

    /** Device already exists. */
    public static final int DEVICE_ALREADY_EXISTS = 409001;

    /** Device not online (or not subscribed to direct methods). */
    public static final int DEVICE_NOT_ONLINE = 404103;

    /** Timed out waiting for the device's answer. */
    public static final int GATEWAY_TIMEOUT = 504101;

    /** The device's cloud-to-device queue holds the maximum number of messages. */
    public static final int QUEUE_DEPTH_EXCEEDED = 403004;

    /** A request argument is invalid. */
    public static final int ARGUMENT_INVALID = 400004;

    private final int errorCode;

    /**
     * Creates an exception.
     *
     * @param errorCode the six-digit IoT Hub error code
     * @param message what went wrong
     */
    public IotHubServiceException(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    /** The six-digit IoT Hub error code, e.g. {@code 404103}. */
    public int getErrorCode() {
        return this.errorCode;
    }

    /** The HTTP status the service REST API answers with: the first three digits of the error code. */
    public int getHttpStatus() {
        return this.errorCode / 1000;
    }
}
