package dev.iothub.spring.connection;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The two named threads of one connection: the connection thread, on which every transition and timer runs, and
 * the callback thread, which completes the futures handed to users (but those a sender waiting for a permit completes
 * itself) so that their code never runs on Paho's threads or holds up a transition. Started by the manager's
 * {@code start()} and ended by its {@code stop()}.
 * <p>
 * Spring's {@link ThreadPoolTaskScheduler} and {@link ThreadPoolTaskExecutor}, deliberately not beans: as beans they
 * would be found by type (taking the place of the application's own {@code TaskScheduler} or {@code Executor} for
 * {@code @Scheduled}, {@code @Async} and Boot's defaults), the context would pause or shut them down on close before
 * the manager had drained outstanding messages, and they would outlive a stopped manager. Here both exist from
 * construction but hold no thread until {@link #start()} (threads are made on first use), and none after
 * {@link #stopConnectionThread()} and {@link #stopCallbackThread()}; a manager can be started again.
 */
final class ConnectionThreads {

    private static final int SHUTDOWN_WAIT_SECONDS = 5;

    private final ThreadPoolTaskScheduler connection = new ThreadPoolTaskScheduler();

    private final ThreadPoolTaskExecutor callbacks = new ThreadPoolTaskExecutor();

    ConnectionThreads(String clientId) {
        this.connection.setPoolSize(1);
        this.connection.setRemoveOnCancelPolicy(true);
        this.connection.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.connection.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        configure(this.connection, "iothub-connection-" + clientId + "-");
        this.callbacks.setCorePoolSize(1);
        this.callbacks.setMaxPoolSize(1);
        configure(this.callbacks, "iothub-callbacks-" + clientId + "-");
    }

    private static void configure(ExecutorConfigurationSupport executor, String threadNamePrefix) {
        executor.setThreadNamePrefix(threadNamePrefix);
        executor.setDaemon(true);
        // Work already queued (a transition, a user's completion) still runs at shutdown; timers do not
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.setAwaitTerminationSeconds(SHUTDOWN_WAIT_SECONDS);
    }

    /** The connection thread; a single thread, so transitions never overlap. */
    TaskScheduler connectionThread() {
        return this.connection;
    }

    /** The callback thread. */
    Executor callbackThread() {
        return this.callbacks;
    }

    void start() {
        this.connection.initialize();
        this.callbacks.initialize();
    }

    /** Ends the connection thread: queued transitions run, timers are dropped. */
    void stopConnectionThread() {
        this.connection.shutdown();
        forceIfStillRunning(this.connection.getScheduledExecutor());
    }

    /** Ends the callback thread once the completions queued so far have run. */
    void stopCallbackThread() {
        this.callbacks.shutdown();
        forceIfStillRunning(this.callbacks.getThreadPoolExecutor());
    }

    /** A task that outlived the wait (a user's callback that blocks) is interrupted rather than left running. */
    private static void forceIfStillRunning(ExecutorService executor) {
        if (!executor.isTerminated()) {
            executor.shutdownNow();
        }
    }

}
