package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * One kind of inbound work's threads: a fixed number of named threads with a bounded queue, which tells its caller
 * whether a task was taken, refused because the queue is full, or refused because the executor is not running.
 */
final class InboundExecutor {

    enum Outcome {

        ACCEPTED, FULL, STOPPED

    }

    private final String threadNamePrefix;

    private final int threads;

    private final int queueCapacity;

    private volatile @Nullable ThreadPoolTaskExecutor executor;

    private volatile @Nullable ThreadPoolExecutor stopping;

    InboundExecutor(String threadNamePrefix, int threads, int queueCapacity) {
        this.threadNamePrefix = threadNamePrefix;
        this.threads = threads;
        this.queueCapacity = queueCapacity;
    }

    int threads() {
        return this.threads;
    }

    int queueCapacity() {
        return this.queueCapacity;
    }

    /** Hands a task to a thread; never blocks. */
    Outcome execute(Runnable task) {
        ThreadPoolTaskExecutor current = this.executor;
        if (current == null) {
            return Outcome.STOPPED;
        }
        try {
            current.execute(task);
            return Outcome.ACCEPTED;
        }
        catch (RejectedExecutionException | IllegalStateException ex) {
            return (this.executor != current || current.getThreadPoolExecutor().isShutdown()) ? Outcome.STOPPED
                    : Outcome.FULL;
        }
    }

    synchronized void start() {
        if (this.executor != null) {
            return;
        }
        ThreadPoolTaskExecutor created = new ThreadPoolTaskExecutor();
        created.setThreadNamePrefix(this.threadNamePrefix);
        created.setCorePoolSize(this.threads);
        created.setMaxPoolSize(this.threads);
        created.setQueueCapacity(this.queueCapacity);
        created.setDaemon(true);
        created.initialize();
        this.executor = created;
    }

    /** Refuses new tasks; those queued still run (see {@link #awaitStopped}). */
    synchronized void beginStop() {
        ThreadPoolTaskExecutor current = this.executor;
        this.executor = null;
        if (current != null) {
            current.getThreadPoolExecutor().shutdown();
            this.stopping = current.getThreadPoolExecutor();
        }
    }

    /** Waits up to the timeout for queued and running tasks, then interrupts what still runs. */
    void awaitStopped(Duration timeout) {
        ThreadPoolExecutor pool = this.stopping;
        if (pool == null) {
            return;
        }
        try {
            if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    boolean isRunning() {
        return this.executor != null;
    }

}
