package dev.iothub.emulator.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.iothub.emulator.IotHubEmulator;

/**
 * The service REST API's HTTP listener, on the JDK's HTTP server with a pool of daemon threads named
 * {@code iothub-emulator-rest-N}. Its resources call only the {@link IotHubEmulator} Java API.
 * <p>
 * The JDK server reads a request on the thread that handles it, without a time limit, so a client that stalls in
 * the middle of a request holds that thread. The pool therefore grows to {@value #MAX_THREADS} threads (idle ones
 * end after {@value #IDLE_SECONDS} s) instead of being four threads that four stalled clients could take.
 */
public final class ServiceApiServer implements AutoCloseable {

    /** The most requests served at once; further ones wait for a thread. */
    static final int MAX_THREADS = 64;

    private static final int IDLE_SECONDS = 30;

    private final HttpServer server;

    private final ExecutorService executor;

    private ServiceApiServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts listening.
     *
     * @param emulator the emulator the requests act on
     * @param address where to listen (port 0 for an ephemeral port)
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static ServiceApiServer start(IotHubEmulator emulator, InetSocketAddress address) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new RestThreadFactory());
        executor.allowCoreThreadTimeOut(true);
        try {
            HttpServer server = HttpServer.create(address, 0);
            RestRouter router = new RestRouter();
            new DeviceRegistryResource(emulator).addTo(router);
            new TwinResource(emulator).addTo(router);
            new DirectMethodResource(emulator).addTo(router);
            new DeviceMessagesResource(emulator).addTo(router);
            server.createContext("/", new RestDispatcher(router, executor));
            server.setExecutor(executor);
            startAsDaemon(server, executor);
            return new ServiceApiServer(server, executor);
        }
        catch (IOException ex) {
            executor.shutdownNow();
            throw new UncheckedIOException("Cannot listen for REST requests on " + address, ex);
        }
    }

    /**
     * The JDK server's dispatcher thread takes the daemon flag of the thread that starts the server; started from a
     * daemon thread, it does not keep the JVM alive, like the emulator's other threads.
     */
    private static void startAsDaemon(HttpServer server, ExecutorService executor) {
        Thread starter = new Thread(server::start, "iothub-emulator-rest-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            server.stop(0);
            executor.shutdownNow();
            throw new IllegalStateException("Interrupted while starting the REST API", ex);
        }
    }

    /** The bound port. */
    public int port() {
        return this.server.getAddress().getPort();
    }

    /** Stops listening and stops the threads; answers still pending (direct methods) are dropped. */
    @Override
    public void close() {
        this.server.stop(0);
        this.executor.shutdownNow();
    }

    private static final class RestThreadFactory implements ThreadFactory {

        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "iothub-emulator-rest-" + this.count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
