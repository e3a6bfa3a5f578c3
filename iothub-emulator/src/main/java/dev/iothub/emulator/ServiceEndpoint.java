package dev.iothub.emulator;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;

import io.netty.channel.EventLoopGroup;
import org.jspecify.annotations.Nullable;

/**
 * A network endpoint of the service API that an emulator starts and stops with itself: the REST API.
 * <p>
 * The endpoint lives in its own package and calls the {@link IotHubEmulator} Java API; this package must not depend on
 * it in return. So the emulator finds the endpoint's {@link Factory} with {@link java.util.ServiceLoader} (the emulator
 * jar registers the REST API in {@code META-INF/services}), which keeps
 * {@code IotHubEmulator.builder().servicePort(p).start()} a single call for every caller, the standalone command and
 * the Spring Boot auto-configuration included.
 */
public interface ServiceEndpoint extends AutoCloseable {

    /** The bound port. */
    int port();

    /** Stops listening and stops the endpoint's own threads. */
    @Override
    void close();

    /** Starts an endpoint; implementations are found with {@link java.util.ServiceLoader}. */
    interface Factory {

        /**
         * Starts listening.
         *
         * @param emulator the emulator the requests act on
         * @param settings where to listen, on which event loops, and the time limits
         * @throws IllegalStateException when the address cannot be bound
         */
        ServiceEndpoint start(IotHubEmulator emulator, Settings settings);
    }

    /**
     * How an endpoint listens.
     *
     * @param address where to listen (port 0 for an ephemeral port)
     * @param boss the emulator's group accepting connections
     * @param workers the emulator's group serving connections
     * @param requestTimeout how long a client may take to send a whole request before its connection is closed
     * @param idleTimeout how long a kept-alive connection may stay silent after an answer before it is closed
     * @param tls the server TLS context for HTTPS, or {@code null} for plain HTTP
     * @param access who may call the endpoint
     */
    record Settings(InetSocketAddress address, EventLoopGroup boss, EventLoopGroup workers, Duration requestTimeout,
            Duration idleTimeout, @Nullable SSLContext tls, Access access) {
    }

    /**
     * Who may call a service endpoint.
     *
     * @param hubName the hub name service SAS tokens must be scoped to ({@code sr})
     * @param policies the shared access policies by name, with their Base64 keys
     * @param authenticationRequired whether a request without a valid {@code Authorization} header is refused (a
     * header that is present is checked either way)
     * @param hostNames the host names a request's {@code Host} may name besides IP literals (DNS rebinding guard)
     * @param clock the clock SAS expiry is checked against
     */
    record Access(String hubName, Map<String, String> policies, boolean authenticationRequired, Set<String> hostNames,
            Clock clock) {
    }
}
