package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.client.Target;
import org.jspecify.annotations.Nullable;

/**
 * Mosquitto 2.x from the distribution as the reference broker: TLS on a loopback address with a certificate made by
 * {@code openssl} for that address, anonymous clients allowed (IoT Hub's user names and SAS tokens are ignored), no
 * persistence.
 */
final class MosquittoBroker implements Broker {

    private final Process process;

    private final String address;

    private final int port;

    private final Path certificate;

    private final String version;

    private final List<String> command;

    private MosquittoBroker(Process process, String address, int port, Path certificate, String version,
            List<String> command) {
        this.process = process;
        this.address = address;
        this.port = port;
        this.certificate = certificate;
        this.version = version;
        this.command = command;
    }

    /** Why Mosquitto cannot run here, or {@code null} when it can. */
    static @Nullable String unavailableReason() {
        if (run(List.of("sh", "-c", "command -v mosquitto")).isBlank()) {
            return "mosquitto is not installed (apt-get install -y mosquitto, or run benchmarks/run, which installs it)";
        }
        if (run(List.of("sh", "-c", "command -v openssl")).isBlank()) {
            return "openssl is not installed (needed for Mosquitto's certificate)";
        }
        return null;
    }

    static MosquittoBroker start(String address, List<String> launcher, Path workDirectory) throws Exception {
        Path dir = Files.createDirectories(workDirectory.resolve("mosquitto"));
        Path certificate = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        String made = run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + address, "-addext",
                "subjectAltName=IP:" + address, "-keyout", key.toString(), "-out", certificate.toString()));
        if (!Files.exists(certificate)) {
            throw new IllegalStateException("openssl made no certificate: " + made);
        }
        int port = freePort(address);
        Path config = dir.resolve("mosquitto.conf");
        // "user root" keeps a root-started broker able to read these files; it is ignored when not started as root.
        Files.writeString(config, String.join("\n",
                "user root",
                "persistence false",
                "allow_anonymous true",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "listener " + port + " " + address,
                "certfile " + certificate,
                "keyfile " + key,
                ""));
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("mosquitto", "-c", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(workDirectory.resolve("broker-mosquitto.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(address, port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("mosquitto did not listen on " + address + ":" + port + ", see "
                        + workDirectory.resolve("broker-mosquitto.log"));
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        String version = run(List.of("mosquitto", "-h")).lines().findFirst().orElse("mosquitto");
        return new MosquittoBroker(process, address, port, certificate, version, command);
    }

    @Override
    public String name() {
        return "mosquitto";
    }

    @Override
    public long pid() {
        return this.process.pid();
    }

    @Override
    public Target target(String devicePrefix) {
        return new Target(name(), this.address, this.port, this.address, devicePrefix, DEVICE_KEY,
                this.certificate.toString());
    }

    @Override
    public void register(String prefix, int count) {
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("broker", this.version);
        described.put("command", this.command);
        described.put("port", this.port);
        return described;
    }

    @Override
    public void close() throws InterruptedException {
        this.process.destroy();
        if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
            this.process.destroyForcibly();
            this.process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 200);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    // Runs a short command and returns what it printed (stdout and stderr), empty when it could not start.
    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        }
        catch (IOException ex) {
            return "";
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
