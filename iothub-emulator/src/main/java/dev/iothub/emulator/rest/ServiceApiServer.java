package dev.iothub.emulator.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.iothub.emulator.IotHubEmulator;

/**
 * The service REST API's HTTP listener, on the JDK's HTTP server with a small pool of daemon threads named
 * {@code iothub-emulator-rest-N}. Its resources call only the {@link IotHubEmulator} Java API.
 */
public final class ServiceApiServer implements AutoCloseable {

    private static final int THREADS = 4;

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
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, new RestThreadFactory());
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
