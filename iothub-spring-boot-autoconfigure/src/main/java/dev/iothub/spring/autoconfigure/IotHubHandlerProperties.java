package dev.iothub.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of annotated IoT Hub handlers ({@code @DirectMethod}, {@code @DesiredPropertyListener},
 * {@code @C2DHandler}).
 */
@ConfigurationProperties("iothub.handlers")
public class IotHubHandlerProperties {

    /** Whether to register annotated handler methods. */
    private boolean enabled = true;

    /** How many times a failing cloud-to-device handler is tried before the message is completed anyway. */
    private int cloudToDeviceMaxAttempts = 3;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getCloudToDeviceMaxAttempts() {
        return this.cloudToDeviceMaxAttempts;
    }

    public void setCloudToDeviceMaxAttempts(int cloudToDeviceMaxAttempts) {
        this.cloudToDeviceMaxAttempts = cloudToDeviceMaxAttempts;
    }

}
