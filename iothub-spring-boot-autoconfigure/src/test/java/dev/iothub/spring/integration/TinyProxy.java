package dev.iothub.spring.integration;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A real HTTP proxy for tests: Debian's {@code tinyproxy}, started as a child process on a free loopback port, with
 * Basic authentication when asked, allowing CONNECT to any port. Tests are skipped when it is not installed, unless
 * {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true} (as on CI), where its absence fails them.
 */
final class TinyProxy implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Path executable;

    private final Path directory;

    private final int port;

    private @Nullable Process process;

    private int starts;

    private TinyProxy(Path executable, int port) throws IOException {
        this.executable = executable;
        this.directory = Files.createTempDirectory("tinyproxy");
        this.port = port;
    }

    /** Starts a proxy on a free port; {@code username} and {@code password} turn on Basic authentication. */
    static TinyProxy start(@Nullable String username, @Nullable String password) {
        Path executable = find().orElse(null);
        if (executable == null) {
            String reason = "tinyproxy is not installed (apt-get install tinyproxy)";
            if ("true".equalsIgnoreCase(System.getenv("IOTHUB_TESTS_REQUIRE_ENVIRONMENT"))) {
                throw new IllegalStateException(reason + ", and IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true");
            }
            Assumptions.abort(reason);
        }
        try {
            TinyProxy proxy = new TinyProxy(executable, freePort());
            proxy.restart(username, password);
            return proxy;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin:/usr/sbin";
        return Stream.of(path.split(File.pathSeparator))
            .filter((entry) -> !entry.isEmpty())
            .map((entry) -> Path.of(entry, "tinyproxy"))
            .filter(Files::isExecutable)
            .findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return this.port;
    }

    /** Stops the proxy: its tunnels end the way they do when a real proxy restarts. */
    void stop() {
        Process running = this.process;
        if (running == null) {
            return;
        }
        running.destroy();
        try {
            if (!running.waitFor(5, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.process = null;
    }

    /** Stops the proxy if it runs and starts it again on the same port with these credentials. */
    void restart(@Nullable String username, @Nullable String password) throws IOException {
        stop();
        this.starts++;
        Path config = this.directory.resolve("tinyproxy-" + this.starts + ".conf");
        StringBuilder text = new StringBuilder()
            .append("Port ").append(this.port).append('\n')
            .append("Listen 127.0.0.1\n")
            .append("Timeout 600\n")
            .append("MaxClients 100\n")
            .append("LogLevel Connect\n")
            .append("LogFile \"").append(log()).append("\"\n")
            .append("PidFile \"").append(this.directory.resolve("tinyproxy.pid")).append("\"\n")
            .append("DisableViaHeader Yes\n");
        if (username != null) {
            text.append("BasicAuth ").append(username).append(' ').append(password).append('\n');
        }
        Files.writeString(config, text, StandardCharsets.UTF_8);
        this.process = new ProcessBuilder(this.executable.toString(), "-d", "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("tinyproxy.out").toFile()))
            .start();
        awaitListening();
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Process running = this.process;
            if (running == null || !running.isAlive()) {
                throw new IOException("tinyproxy exited: " + output());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
                return;
            }
            catch (IOException ex) {
                sleep();
            }
        }
        throw new IOException("tinyproxy did not listen on port " + this.port + " within " + START_TIMEOUT + ": "
                + output());
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private Path log() {
        return this.directory.resolve("tinyproxy.log");
    }

    /** The proxy's log so far, across restarts. */
    String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.ISO_8859_1) : "";
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private String output() throws IOException {
        Path out = this.directory.resolve("tinyproxy.out");
        return Files.exists(out) ? Files.readString(out, StandardCharsets.ISO_8859_1) : "";
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(this.directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
        }
        catch (IOException ex) {
            // a temp directory left behind
        }
    }

}
