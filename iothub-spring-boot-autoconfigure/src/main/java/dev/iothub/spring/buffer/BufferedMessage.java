package dev.iothub.spring.buffer;

/**
 * A message read back from a {@link TelemetryLog}.
 *
 * @param sequence its position in the log, increasing across restarts
 * @param topic the topic it is published to, carrying its properties
 * @param payload its body
 */
public record BufferedMessage(long sequence, String topic, byte[] payload) {
}
