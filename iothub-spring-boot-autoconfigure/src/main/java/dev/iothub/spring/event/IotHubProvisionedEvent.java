package dev.iothub.spring.event;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the device knows its hub through the Device Provisioning Service: once at start (from the cache or
 * from a registration) and after each registration made because the hub refused the device.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubProvisionedEvent extends ApplicationEvent {

    private final String hostName;

    private final String deviceId;

    private final boolean fromCache;

    public IotHubProvisionedEvent(Object source, String hostName, String deviceId, boolean fromCache) {
        super(source);
        this.hostName = hostName;
        this.deviceId = deviceId;
        this.fromCache = fromCache;
    }

    /** The assigned hub's host name. */
    public String getHostName() {
        return this.hostName;
    }

    /** The device id in the assigned hub. */
    public String getDeviceId() {
        return this.deviceId;
    }

    /** Whether the assignment came from the cache rather than from a registration. */
    public boolean isFromCache() {
        return this.fromCache;
    }

    @Override
    public String toString() {
        return "IotHubProvisionedEvent[hostName=" + this.hostName + ", deviceId=" + this.deviceId + ", fromCache="
                + this.fromCache + "]";
    }

}
