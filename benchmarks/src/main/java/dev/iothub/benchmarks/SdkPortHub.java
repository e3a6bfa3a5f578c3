package dev.iothub.benchmarks;

import java.net.BindException;
import java.time.Duration;

import dev.iothub.emulator.IotHubEmulator;

/**
 * Starts the in-process emulator where the official SDK can reach it: port 8883 (the SDK has no port setting) on a
 * loopback address with a dot in it, used as the hub name. The default address is {@code 127.0.0.2} so the run does
 * not collide with tests that bind {@code 127.0.0.1:8883} at the same time.
 */
public final class SdkPortHub {

    /** The only port the official SDK connects to over MQTT. */
    public static final int SDK_PORT = 8883;

    private SdkPortHub() {
    }

    /**
     * Starts the emulator on {@code address:8883}, retrying a few times while the port is taken.
     *
     * @throws IllegalStateException when the port stays busy for every attempt
     */
    public static IotHubEmulator start(String address, int ioThreads, int attempts, Duration pause) {
        Exception last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return IotHubEmulator.builder().bindAddress(address).hubName(address).mqttPort(SDK_PORT)
                    .ioThreads(ioThreads).start();
            }
            // Netty rethrows the checked BindException undeclared, hence the broad catch.
            catch (Exception ex) {
                if (!isBindFailure(ex)) {
                    throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
                }
                last = ex;
                System.out.printf("  port %s:%d is busy (attempt %d of %d)%n", address, SDK_PORT, attempt, attempts);
                if (attempt < attempts) {
                    pause(pause);
                }
            }
        }
        throw new IllegalStateException("Port " + address + ":" + SDK_PORT + " stayed busy for " + attempts
                + " attempts; the official-SDK scenarios need it (pass --sdk-address to use another loopback address)",
                last);
    }

    private static boolean isBindFailure(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    // A back-off between bind attempts, not a synchronisation: nothing here waits for another thread.
    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for port " + SDK_PORT, ex);
        }
    }
}
