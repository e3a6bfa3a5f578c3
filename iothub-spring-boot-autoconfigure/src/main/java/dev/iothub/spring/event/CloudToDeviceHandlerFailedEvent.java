package dev.iothub.spring.event;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * A cloud-to-device handler kept failing on a message; the message was acknowledged anyway so that it cannot block
 * the device's queue.
 */
public class CloudToDeviceHandlerFailedEvent extends ApplicationEvent {

    private final @Nullable String messageId;

    private final String handler;

    private final int attempts;

    private final Throwable failure;

    /**
     * Creates the event.
     *
     * @param source the publisher
     * @param messageId the message's id ({@code $.mid}), if it had one
     * @param handler the failing handler, as {@code beanName.methodName}
     * @param attempts how many times the handler was tried
     * @param failure the last failure
     */
    public CloudToDeviceHandlerFailedEvent(Object source, @Nullable String messageId, String handler, int attempts,
            Throwable failure) {
        super(source);
        this.messageId = messageId;
        this.handler = handler;
        this.attempts = attempts;
        this.failure = failure;
    }

    /** The message's id ({@code $.mid}), if it had one. */
    public @Nullable String getMessageId() {
        return this.messageId;
    }

    /** The failing handler, as {@code beanName.methodName}. */
    public String getHandler() {
        return this.handler;
    }

    /** How many times the handler was tried. */
    public int getAttempts() {
        return this.attempts;
    }

    /** The last failure. */
    public Throwable getFailure() {
        return this.failure;
    }

}
