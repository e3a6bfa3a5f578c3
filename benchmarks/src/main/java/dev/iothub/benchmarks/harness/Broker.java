package dev.iothub.benchmarks.harness;

import java.util.Map;

import dev.iothub.benchmarks.client.Target;

/**
 * A broker process the clients connect to: the emulator in its own JVM, or Mosquitto.
 */
interface Broker extends AutoCloseable {

    /** The device key every benchmark device has; Mosquitto ignores credentials. */
    String DEVICE_KEY = "YmVuY2htYXJrLWRldmljZS1rZXktMzItYnl0ZXMhISE=";

    /** {@code emulator} or {@code mosquitto}. */
    String name();

    /** The broker's process id, for its CPU time. */
    long pid();

    /** Where connection {@code i} of a client using devices {@code devicePrefix + i} connects. */
    Target target(String devicePrefix);

    /** Makes devices {@code prefix0..prefix<count-1>} known (the emulator registers them). */
    void register(String prefix, int count) throws Exception;

    /** How it was started, for the results. */
    Map<String, Object> describe();

    @Override
    void close() throws Exception;
}
