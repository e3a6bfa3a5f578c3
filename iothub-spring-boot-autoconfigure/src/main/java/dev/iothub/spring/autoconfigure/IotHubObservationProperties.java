package dev.iothub.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Observation settings of the IoT Hub connection.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@ConfigurationProperties("iothub.observation")
public class IotHubObservationProperties {

    /**
     * Whether to write the current trace context (W3C traceparent and tracestate) into the application properties
     * of each telemetry message, so that a cloud consumer can continue the trace. Needs a tracer (Micrometer
     * Tracing).
     */
    private boolean propagateTraceContext;

    public boolean isPropagateTraceContext() {
        return this.propagateTraceContext;
    }

    public void setPropagateTraceContext(boolean propagateTraceContext) {
        this.propagateTraceContext = propagateTraceContext;
    }

}
