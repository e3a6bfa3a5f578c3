package dev.iothub.spring.observation;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The observation context of one twin request, from publish to the hub's answer or the timeout.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubTwinRequestContext extends Observation.Context {

    private final String operation;

    private final String deviceId;

    private final @Nullable String moduleId;

    private String status = "unknown";

    /**
     * Creates a context.
     *
     * @param operation {@code get} or {@code patch}
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     */
    public IotHubTwinRequestContext(String operation, String deviceId, @Nullable String moduleId) {
        this.operation = operation;
        this.deviceId = deviceId;
        this.moduleId = moduleId;
    }

    /** {@code get} or {@code patch}. */
    public String getOperation() {
        return this.operation;
    }

    public String getDeviceId() {
        return this.deviceId;
    }

    public @Nullable String getModuleId() {
        return this.moduleId;
    }

    /** The hub's status ({@code 200}, {@code 204}, {@code 412}...), {@code timeout} or {@code error}. */
    public String getStatus() {
        return this.status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

}
