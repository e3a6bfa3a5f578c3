package dev.iothub.spring.provisioning;

import dev.iothub.spring.connection.IotHubException;

/**
 * The Device Provisioning Service did not assign the device. The message names the registration and the reason,
 * never a key or a token.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubProvisioningException extends IotHubException {

    private final String action;

    public IotHubProvisioningException(String message, String action) {
        super(message);
        this.action = action;
    }

    public IotHubProvisioningException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** What to check or change. */
    public String getAction() {
        return this.action;
    }

}
