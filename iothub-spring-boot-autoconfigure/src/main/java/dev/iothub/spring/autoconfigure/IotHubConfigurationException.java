package dev.iothub.spring.autoconfigure;

/**
 * An invalid or missing IoT Hub setting. Its message names the property and never contains a key or a token.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubConfigurationException extends RuntimeException {

    private final String property;

    private final String action;

    public IotHubConfigurationException(String property, String problem, String action) {
        super("Invalid IoT Hub configuration '" + property + "': " + problem);
        this.property = property;
        this.action = action;
    }

    /** The property, or the setting, that is wrong. */
    public String getProperty() {
        return this.property;
    }

    /** How to fix it. */
    public String getAction() {
        return this.action;
    }

}
