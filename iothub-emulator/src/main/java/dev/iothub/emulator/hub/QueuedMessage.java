package dev.iothub.emulator.hub;

import java.util.Map;

/**
 * A cloud-to-device message in a device's queue.
 *
 * @param messageId the message id
 * @param topic the delivery topic with its property bag
 * @param body the body
 * @param properties the property bag (system keys as {@code $.mid} etc.)
 */
public record QueuedMessage(String messageId, String topic, byte[] body, Map<String, String> properties) {
}
