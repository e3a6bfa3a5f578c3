package dev.iothub.benchmarks.scale;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.EmulatorTrust;
import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.process.ProcessCpu;
import dev.iothub.benchmarks.process.ProcessMemory;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The simulated devices of the harness's scale scenario, alone in a JVM on the client core: one
 * {@link SimulatedDeviceFleet} at a time, driven by one JSON command a line on stdin, each answered with
 * {@code RESULT <json>} or {@code ERROR <message>} after {@code READY <json>} (pid, JVM arguments, heap). Commands
 * ({@code op}):
 * <ul>
 * <li>{@code connect} ({@code host}, {@code port}, {@code caPem}, {@code prefix}, {@code key}, {@code count},
 * {@code localAddresses}, {@code inProgress}): connects devices {@code prefix0..} with full TLS handshakes; answers
 * {@code connected}, {@code elapsedNanos}, {@code error}, {@code fullHandshakes}, {@code cpuNanos}</li>
 * <li>{@code traffic} ({@code seconds}, {@code drainSeconds}): every device sends one QoS 1 message a second for
 * {@code seconds}, spread evenly, then waits up to {@code drainSeconds} for the last PUBACKs; answers the counts, the
 * latency percentiles, {@code elapsedNanos} and {@code cpuNanos}</li>
 * <li>{@code disconnect}: sends DISCONNECT on every connection and closes the fleet</li>
 * </ul>
 * The JVM ends when stdin closes.
 */
public final class ScaleFleetHost {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final byte[] payload = Payloads.telemetryJson();

    private @Nullable SimulatedDeviceFleet fleet;

    private ScaleFleetHost() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ScaleFleetHost host = new ScaleFleetHost();
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("pid", ProcessHandle.current().pid());
        hello.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        hello.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        hello.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        protocol.println("READY " + JSON.writeValueAsString(hello));
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = commands.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    protocol.println("RESULT " + JSON.writeValueAsString(host.execute(JSON.readTree(line))));
                }
                catch (Exception ex) {
                    ex.printStackTrace();
                    protocol.println("ERROR " + String.valueOf(ex).replace('\n', ' '));
                }
            }
        }
        finally {
            host.disconnect();
        }
    }

    private Map<String, Object> execute(JsonNode command) throws Exception {
        return switch (command.path("op").asString()) {
            case "connect" -> connect(command);
            case "traffic" -> traffic(command);
            case "disconnect" -> disconnect();
            default -> throw new IllegalArgumentException("unknown op " + command.path("op").asString());
        };
    }

    private Map<String, Object> connect(JsonNode command) throws Exception {
        disconnect();
        HandshakeCountingTrust trust = new HandshakeCountingTrust(extendedTrustManager(command.path("caPem").asString()));
        // BoringSSL where it loads (the fleet is the load generator: its TLS cost bounds the connect rate measured).
        // Engines made without the peer's host and port resume no session and have no host name to check: the
        // chain is checked against the emulator's certificate alone, as the JDK context did.
        SslContext context = SslContextBuilder.forClient()
            .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2")
            .endpointIdentificationAlgorithm(null)
            .trustManager(trust)
            .build();
        List<String> localAddresses = new ArrayList<>();
        command.path("localAddresses").forEach((address) -> localAddresses.add(address.asString()));
        SimulatedDeviceFleet devices = new SimulatedDeviceFleet(command.path("host").asString(),
                command.path("port").asInt(), context, Runtime.getRuntime().availableProcessors(), localAddresses);
        this.fleet = devices;
        int count = command.path("count").asInt();
        long cpuStart = ProcessCpu.nanos();
        SimulatedDeviceFleet.ConnectOutcome outcome = devices.connect(command.path("prefix").asString(), count,
                command.path("key").asString(), command.path("inProgress").asInt(100),
                Deadline.in(Duration.ofSeconds(command.path("timeoutSeconds").asLong(300)), "connect " + count));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connected", outcome.connected());
        result.put("elapsedNanos", outcome.elapsedNanos());
        result.put("error", outcome.error());
        result.put("fullHandshakes", trust.fullHandshakes());
        result.put("cpuNanos", ProcessCpu.nanos() - cpuStart);
        return result;
    }

    private Map<String, Object> traffic(JsonNode command) throws Exception {
        SimulatedDeviceFleet devices = this.fleet;
        if (devices == null) {
            throw new IllegalStateException("no devices connected");
        }
        int seconds = command.path("seconds").asInt();
        SteadyTraffic traffic = new SteadyTraffic();
        long cpuStart = ProcessCpu.nanos();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        devices.sendSteadily(this.payload, start, seconds, traffic);
        long lastScheduled = start + TimeUnit.SECONDS.toNanos(seconds);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, lastScheduled - System.nanoTime()));
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(command.path("drainSeconds").asLong(10));
        // Polling a counter at 10 ms steps: the PUBACKs arrive on the event loops, nothing signals "all".
        while (traffic.acknowledgedCount() < traffic.sentCount() && System.nanoTime() < drainEnd) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        Map<String, Object> result = new LinkedHashMap<>(traffic.describe());
        result.put("elapsedNanos", System.nanoTime() - start);
        result.put("cpuNanos", ProcessCpu.nanos() - cpuStart);
        result.put("heapUsedBytes", ProcessMemory.heapUsed());
        return result;
    }

    private Map<String, Object> disconnect() {
        SimulatedDeviceFleet devices = this.fleet;
        int count = (devices != null) ? devices.size() : 0;
        if (devices != null) {
            devices.close();
            this.fleet = null;
        }
        return Map.of("disconnected", count);
    }

    private static X509ExtendedTrustManager extendedTrustManager(String pem) throws Exception {
        for (TrustManager manager : EmulatorTrust.trustManagers(Path.of(pem)).getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return extended;
            }
        }
        throw new IllegalStateException("no X509ExtendedTrustManager for " + pem);
    }
}
