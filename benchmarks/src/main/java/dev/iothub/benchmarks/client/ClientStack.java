package dev.iothub.benchmarks.client;

/**
 * A device stack the harness measures: how it connects, and how it answers direct methods.
 */
interface ClientStack {

    /**
     * Connects {@code connections} devices of the target with an in-flight window of {@code window} QoS 1 messages
     * each (stacks at their defaults ignore it).
     */
    ClientSession open(Target target, int window, int connections, byte[] payload) throws Exception;

    /** Connects device {@code deviceId} and answers every direct method with status 200 and the request payload. */
    default AutoCloseable methodDevice(Target target, String deviceId) throws Exception {
        throw new UnsupportedOperationException("this stack has no direct-method device");
    }
}
