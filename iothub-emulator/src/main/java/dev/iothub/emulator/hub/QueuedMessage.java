package dev.iothub.emulator.hub;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A cloud-to-device message in an identity's queue; the connection that delivers it puts the property bag in the
 * topic.
 *
 * @param messageId the message id
 * @param body the body
 * @param properties the property bag (system keys as {@code $.mid} etc.; application values may be {@code null})
 */
public record QueuedMessage(String messageId, byte[] body, Map<String, @Nullable String> properties) {
}
