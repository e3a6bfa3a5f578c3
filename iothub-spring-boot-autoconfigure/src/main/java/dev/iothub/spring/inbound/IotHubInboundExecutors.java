package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.List;

import org.springframework.context.SmartLifecycle;

/**
 * The threads inbound handlers run on, started before the connection delivers anything and stopped after it stopped
 * delivering: one thread for cloud-to-device messages ({@code iothub-{clientId}-c2d-N}), one for desired-property
 * updates ({@code iothub-{clientId}-desired-N}) and a small pool for direct methods
 * ({@code iothub-{clientId}-method-N}), each with a bounded queue.
 * <p>
 * Its {@linkplain #setPhase phase} must be just below the connection's (a lower phase starts earlier and stops
 * later); the default, -1, is right for a connection at the default phase of Spring Integration's client managers.
 * On stop, work already queued may finish for up to 5 seconds; then what still runs is interrupted.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubInboundExecutors implements SmartLifecycle {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final InboundExecutor cloudToDevice;

    private final InboundExecutor desiredProperties;

    private final InboundExecutor directMethods;

    private int phase = -1;

    /**
     * Creates the executors; no thread starts before {@link #start()}.
     *
     * @param clientId the connection's client id, part of every thread name
     * @param methodThreads how many direct methods may run at once
     * @param queueCapacity how much work of each kind may wait for a thread
     */
    public IotHubInboundExecutors(String clientId, int methodThreads, int queueCapacity) {
        String prefix = "iothub-" + clientId + "-";
        this.cloudToDevice = new InboundExecutor(prefix + "c2d-", 1, queueCapacity);
        this.desiredProperties = new InboundExecutor(prefix + "desired-", 1, queueCapacity);
        this.directMethods = new InboundExecutor(prefix + "method-", methodThreads, queueCapacity);
    }

    /** Sets the phase; it should be just below the connection's. */
    public void setPhase(int phase) {
        this.phase = phase;
    }

    @Override
    public int getPhase() {
        return this.phase;
    }

    @Override
    public void start() {
        all().forEach(InboundExecutor::start);
    }

    @Override
    public void stop() {
        List<InboundExecutor> executors = all();
        executors.forEach(InboundExecutor::beginStop);
        executors.forEach((executor) -> executor.awaitStopped(STOP_TIMEOUT));
    }

    @Override
    public boolean isRunning() {
        return this.directMethods.isRunning();
    }

    InboundExecutor cloudToDevice() {
        return this.cloudToDevice;
    }

    InboundExecutor desiredProperties() {
        return this.desiredProperties;
    }

    InboundExecutor directMethods() {
        return this.directMethods;
    }

    private List<InboundExecutor> all() {
        return List.of(this.cloudToDevice, this.desiredProperties, this.directMethods);
    }

}
