package dev.iothub.spring.inbound;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handler threads: their names, their bounds and what stopping does.
 */
class IotHubInboundExecutorsTests {

    private final IotHubInboundExecutors executors = new IotHubInboundExecutors("dev1", 2, 1);

    private static String threadName(InboundExecutor executor) {
        CompletableFuture<String> name = new CompletableFuture<>();
        assertThat(executor.execute(() -> name.complete(Thread.currentThread().getName())))
            .isEqualTo(InboundExecutor.Outcome.ACCEPTED);
        return name.join();
    }

    @Test
    void whenStartedThenEachKindOfWorkRunsOnThreadsNamedAfterTheClientId() {
        this.executors.start();
        try {
            assertThat(this.executors.isRunning()).isTrue();
            assertThat(threadName(this.executors.cloudToDevice())).isEqualTo("iothub-dev1-c2d-1");
            assertThat(threadName(this.executors.desiredProperties())).isEqualTo("iothub-dev1-desired-1");
            assertThat(threadName(this.executors.directMethods())).startsWith("iothub-dev1-method-");
        }
        finally {
            this.executors.stop();
        }
    }

    @Test
    void whenNotStartedOrStoppedThenWorkIsRefusedAsStopped() {
        assertThat(this.executors.cloudToDevice().execute(() -> {
        })).isEqualTo(InboundExecutor.Outcome.STOPPED);
        this.executors.start();
        this.executors.stop();
        assertThat(this.executors.isRunning()).isFalse();
        assertThat(this.executors.directMethods().execute(() -> {
        })).isEqualTo(InboundExecutor.Outcome.STOPPED);
    }

    @Test
    void whenStoppingThenQueuedWorkStillRuns() {
        this.executors.start();
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        this.executors.cloudToDevice().execute(release::join);
        this.executors.cloudToDevice().execute(() -> ran.add("queued"));
        assertThat(this.executors.cloudToDevice().execute(() -> ran.add("refused")))
            .isEqualTo(InboundExecutor.Outcome.FULL);
        release.complete(null);
        this.executors.stop();
        assertThat(ran).containsExactly("queued");
    }

    @Test
    void whenNoPhaseIsSetThenItIsJustBelowTheDefaultPhaseOfAClientManager() {
        assertThat(this.executors.getPhase()).isEqualTo(-1);
        this.executors.setPhase(41);
        assertThat(this.executors.getPhase()).isEqualTo(41);
    }

}
