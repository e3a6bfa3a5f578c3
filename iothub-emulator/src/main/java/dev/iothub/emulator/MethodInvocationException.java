package dev.iothub.emulator;

/**
 * A direct method could not be completed: the device is not online ({@code 404103}) or did not answer in time
 * ({@code 504101}).
 */
public class MethodInvocationException extends IotHubServiceException {

    /**
     * Creates an exception.
     *
     * @param errorCode the IoT Hub error code
     * @param message what went wrong
     */
    public MethodInvocationException(int errorCode, String message) {
        super(errorCode, message);
    }
}
