package dev.iothub.spring.observation;

import java.util.Locale;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The observation context of one invocation of an application handler: a direct method, a desired-properties
 * handler or a cloud-to-device handler.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubHandlerContext extends Observation.Context {

    private final Kind kind;

    private final String handlerName;

    private final String deviceId;

    private final @Nullable String moduleId;

    private String status = "unknown";

    /**
     * Creates a context.
     *
     * @param kind what the hub sent
     * @param handlerName the direct-method name, or the kind's name for the other kinds
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     */
    public IotHubHandlerContext(Kind kind, String handlerName, String deviceId, @Nullable String moduleId) {
        this.kind = kind;
        this.handlerName = handlerName;
        this.deviceId = deviceId;
        this.moduleId = moduleId;
    }

    public Kind getKind() {
        return this.kind;
    }

    /** The direct-method name (only registered names are observed), or the kind's tag value. */
    public String getHandlerName() {
        return this.handlerName;
    }

    public String getDeviceId() {
        return this.deviceId;
    }

    public @Nullable String getModuleId() {
        return this.moduleId;
    }

    /**
     * How the invocation ended: the HTTP-like status answered for a direct method ({@code 200}, {@code 500}...),
     * {@code handled} or {@code failed} for the other kinds.
     */
    public String getStatus() {
        return this.status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    /** What the hub sent to the handler. */
    public enum Kind {

        /** A direct-method request. */
        DIRECT_METHOD,

        /** A desired-properties update. */
        DESIRED_PROPERTIES,

        /** A cloud-to-device message. */
        CLOUD_TO_DEVICE;

        /** The lower-case, hyphenated tag value. */
        public String tagValue() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

    }

}
