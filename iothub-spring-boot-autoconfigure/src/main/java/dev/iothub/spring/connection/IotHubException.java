package dev.iothub.spring.connection;

/**
 * Base class of the exceptions the IoT Hub device API reports.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubException extends RuntimeException {

    public IotHubException(String message) {
        super(message);
    }

    public IotHubException(String message, Throwable cause) {
        super(message, cause);
    }

}
