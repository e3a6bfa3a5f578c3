package dev.iothub.spring.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.integration.handler.AbstractMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.messaging.MessageHeaders;

import dev.iothub.spring.messaging.IotHubHeaders;

/**
 * A Spring Integration {@link org.springframework.messaging.MessageHandler} that sends each message as telemetry,
 * so that a flow can end in the hub. Headers from {@link IotHubHeaders} become system properties, and the map in
 * {@link IotHubHeaders#APPLICATION_PROPERTIES} the application properties.
 * <p>
 * By default it waits (up to the send timeout) for the hub's acknowledgement so that failures reach the flow's
 * error handling; {@link #setAsync(boolean) asynchronous} mode returns at once and logs failures.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class TelemetryMessageHandler extends AbstractMessageHandler {

    /** {@code IotHubHeaders.PROPERTIES}, still read for one release when {@code APPLICATION_PROPERTIES} is absent. */
    @SuppressWarnings("removal")
    private static final String DEPRECATED_PROPERTIES_HEADER = IotHubHeaders.PROPERTIES;

    private final IotHubTelemetryTemplate telemetryTemplate;

    private final Duration timeout;

    private boolean async;

    public TelemetryMessageHandler(IotHubTelemetryTemplate telemetryTemplate, Duration timeout) {
        this.telemetryTemplate = telemetryTemplate;
        this.timeout = timeout;
    }

    /** Whether to return without waiting for the hub's acknowledgement. */
    public void setAsync(boolean async) {
        this.async = async;
    }

    @Override
    protected void handleMessageInternal(Message<?> message) {
        MessageHeaders headers = message.getHeaders();
        TelemetryMessage.Builder builder = TelemetryMessage.builder(message.getPayload())
                .messageId(header(headers, IotHubHeaders.MESSAGE_ID))
                .correlationId(header(headers, IotHubHeaders.CORRELATION_ID))
                .contentEncoding(header(headers, IotHubHeaders.CONTENT_ENCODING))
                .component(header(headers, IotHubHeaders.COMPONENT))
                .contentType(header(headers, MessageHeaders.CONTENT_TYPE));
        Object creationTime = headers.get(IotHubHeaders.CREATION_TIME);
        if (creationTime instanceof Instant instant) {
            builder.creationTime(instant);
        }
        Object properties = headers.containsKey(IotHubHeaders.APPLICATION_PROPERTIES)
                ? headers.get(IotHubHeaders.APPLICATION_PROPERTIES) : headers.get(DEPRECATED_PROPERTIES_HEADER);
        if (properties instanceof Map<?, ?> map) {
            map.forEach((name, value) -> builder.property(String.valueOf(name), String.valueOf(value)));
        }
        CompletableFuture<Void> sent = this.telemetryTemplate.send(builder.build());
        if (this.async) {
            sent.exceptionally((ex) -> {
                logger.error(ex, "Telemetry was not accepted by IoT Hub");
                return null;
            });
            return;
        }
        try {
            sent.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new MessageHandlingException(message, "Interrupted while sending telemetry", ex);
        }
        catch (ExecutionException ex) {
            throw new MessageHandlingException(message, "IoT Hub did not accept the telemetry", ex.getCause());
        }
        catch (TimeoutException ex) {
            throw new MessageHandlingException(message,
                    "IoT Hub did not acknowledge the telemetry within " + this.timeout, ex);
        }
    }

    private static String header(MessageHeaders headers, String name) {
        Object value = headers.get(name);
        return (value != null) ? value.toString() : null;
    }

}
