package dev.iothub.benchmarks.client;

import java.util.function.Supplier;

/**
 * The device stacks the harness can measure, each in a JVM of its own.
 */
public enum StackKind {

    /** The reference: raw Paho with the starter's window, one permit per message. */
    PAHO("paho", "raw Paho 1.2.5, like-for-like (window W, one permit per message)", true, true,
            () -> new PahoStack(false)),

    /** Raw Paho as fast as it goes. */
    PAHO_FAST("paho-fast", "raw Paho 1.2.5, fast (window W, permits a tenth of W at a time)", true, false,
            () -> new PahoStack(true)),

    /** The HiveMQ client, the fastest JVM client known. */
    HIVEMQ("hivemq", "HiveMQ MQTT client 1.4.0, async API (window W)", true, true, HiveMqStack::new),

    /** The starter's telemetry API with no publish property set. */
    STARTER_DEFAULTS("starter-defaults", "starter IotHubTelemetryTemplate.send, defaults (max-in-flight 100)", false,
            true, () -> new StarterStack(true, 0)),

    /** The starter's telemetry API with max-in-flight = the window. */
    STARTER("starter", "starter IotHubTelemetryTemplate.send, tuned (max-in-flight W, max-pending W)", true, true,
            () -> new StarterStack(false, 0)),

    /**
     * The starter's channel from one producer thread. Each producer waits for its PUBACK, so at most as many
     * messages as producers are in flight and the window makes no difference: the channel runs in one series.
     */
    CHANNEL_1("channel-1", "starter iotHubTelemetryChannel, 1 producer (max-in-flight 100)", false, false,
            () -> new StarterStack(false, 1)),

    /** The starter's channel from four producer threads. */
    CHANNEL_4("channel-4", "starter iotHubTelemetryChannel, 4 producers (max-in-flight 100)", false, false,
            () -> new StarterStack(false, 4)),

    /** The starter's channel from sixteen producer threads. */
    CHANNEL_16("channel-16", "starter iotHubTelemetryChannel, 16 producers (max-in-flight 100)", false, false,
            () -> new StarterStack(false, 16)),

    /** The official SDK as it comes. */
    SDK_DEFAULTS("sdk-defaults", "official SDK 2.5.0 sendEventAsync, defaults (10 msgs per 10 ms)", false, false,
            () -> new SdkStack(false)),

    /** The official SDK with a 1 ms send loop. */
    SDK_TUNED("sdk-tuned", "official SDK 2.5.0 sendEventAsync, tuned (sendInterval 1 ms x W)", true, false,
            () -> new SdkStack(true));

    private final String id;

    private final String label;

    private final boolean windowed;

    private final boolean openLoop;

    private final Supplier<ClientStack> factory;

    StackKind(String id, String label, boolean windowed, boolean openLoop, Supplier<ClientStack> factory) {
        this.id = id;
        this.label = label;
        this.windowed = windowed;
        this.openLoop = openLoop;
        this.factory = factory;
    }

    /** The name on the command line and in the results. */
    public String id() {
        return this.id;
    }

    /** What is measured, for the report. */
    public String label() {
        return this.label;
    }

    /** Whether the window option applies (stacks at their defaults ignore it). */
    public boolean windowed() {
        return this.windowed;
    }

    /**
     * The client JVM it runs in: its own, but for the channel stacks, which share one (the same code at three
     * producer counts, warmed once, like the windows of one stack).
     */
    public String jvm() {
        return this.id.startsWith("channel-") ? "channel" : this.id;
    }

    /** Whether it can offer messages at a fixed rate. */
    public boolean openLoop() {
        return this.openLoop;
    }

    ClientStack create() {
        return this.factory.get();
    }

    /** The stack of a name. */
    public static StackKind of(String id) {
        for (StackKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("Unknown stack " + id);
    }
}
