package dev.iothub.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of IoT Hub handlers ({@code @DirectMethod}, {@code @DesiredPropertyListener}, {@code @C2DHandler}
 * and programmatically registered ones) and the threads they run on.
 */
@ConfigurationProperties("iothub.handlers")
public class IotHubHandlerProperties {

    /** Whether to register annotated handler methods. */
    private boolean enabled = true;

    /** How many times a failing cloud-to-device handler is tried before the message is completed anyway. */
    private int cloudToDeviceMaxAttempts = 3;

    /**
     * How many direct-method handlers may run at once; cloud-to-device and desired-property handlers run one at a
     * time, in order, on threads of their own.
     */
    private int methodThreads = 4;

    /** How many inbound messages of each kind may wait for a handler thread before new ones are refused. */
    private int queueCapacity = 100;

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getMethodThreads() {
        return this.methodThreads;
    }

    public void setMethodThreads(int methodThreads) {
        this.methodThreads = methodThreads;
    }

    public int getQueueCapacity() {
        return this.queueCapacity;
    }

    public void setQueueCapacity(int queueCapacity) {
        this.queueCapacity = queueCapacity;
    }

    public int getCloudToDeviceMaxAttempts() {
        return this.cloudToDeviceMaxAttempts;
    }

    public void setCloudToDeviceMaxAttempts(int cloudToDeviceMaxAttempts) {
        this.cloudToDeviceMaxAttempts = cloudToDeviceMaxAttempts;
    }

}
