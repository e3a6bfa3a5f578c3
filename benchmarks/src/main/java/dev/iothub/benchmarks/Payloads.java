package dev.iothub.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * The telemetry body every benchmark sends: a JSON object of exactly {@value #SIZE} bytes.
 */
public final class Payloads {

    /** The size of a telemetry body. */
    public static final int SIZE = 256;

    private Payloads() {
    }

    /** A fresh 256-byte JSON body. */
    public static byte[] telemetryJson() {
        String head = "{\"deviceTime\":\"2026-11-23T12:00:00.000Z\",\"temperature\":21.5,\"humidity\":48.25,\"pad\":\"";
        String tail = "\"}";
        String json = head + "x".repeat(SIZE - head.length() - tail.length()) + tail;
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != SIZE) {
            throw new IllegalStateException("payload is " + bytes.length + " bytes");
        }
        return bytes;
    }
}
