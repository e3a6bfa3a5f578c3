package dev.iothub.benchmarks.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.Target;
import dev.iothub.benchmarks.process.ChildJvm;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The emulator in a JVM of its own ({@link EmulatorBrokerHost}), on {@code address:8883} so the official SDK can
 * reach it.
 */
final class EmulatorBroker implements Broker {

    static final int PORT = 8883;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChildJvm jvm;

    private final String address;

    private final Path certificate;

    private final JsonNode ready;

    private final List<String> command;

    private EmulatorBroker(ChildJvm jvm, String address, Path certificate, JsonNode ready, List<String> command) {
        this.jvm = jvm;
        this.address = address;
        this.certificate = certificate;
        this.ready = ready;
        this.command = command;
    }

    static EmulatorBroker start(String address, int ioThreads, List<String> launcher, List<String> jvmOptions,
            Path workDirectory) throws Exception {
        Path certificate = workDirectory.resolve("emulator-ca.pem");
        List<String> args = List.of(address, Integer.toString(PORT), certificate.toString(),
                Integer.toString(ioThreads));
        ChildJvm jvm = ChildJvm.spawn(launcher, EmulatorBrokerHost.class, jvmOptions, args,
                workDirectory.resolve("broker-emulator.log"));
        try {
            String ready = jvm.await("READY ", Deadline.in(Duration.ofSeconds(60), "emulator start"));
            return new EmulatorBroker(jvm, address, certificate, JSON.readTree(ready), args);
        }
        catch (Exception ex) {
            jvm.close();
            throw new IllegalStateException("The emulator did not start on " + address + ":" + PORT
                    + " (is the port taken? see " + workDirectory.resolve("broker-emulator.log") + ")", ex);
        }
    }

    @Override
    public String name() {
        return "emulator";
    }

    @Override
    public long pid() {
        return this.ready.path("pid").asLong();
    }

    /** The base URL of the REST service API, plain HTTP on loopback. */
    String restUrl() {
        return this.ready.path("restUrl").asString();
    }

    @Override
    public Target target(String devicePrefix) {
        return new Target(name(), this.address, PORT, this.address, devicePrefix, DEVICE_KEY,
                this.certificate.toString());
    }

    @Override
    public void register(String prefix, int count) throws Exception {
        command("register " + prefix + " " + count + " " + DEVICE_KEY, Duration.ofSeconds(60));
    }

    /** Sends one command of {@link EmulatorBrokerHost} and returns its result. */
    JsonNode command(String line, Duration timeout) throws Exception {
        this.jvm.send(line);
        return JSON.readTree(this.jvm.await("RESULT ", Deadline.in(timeout, "emulator " + line.split(" ")[0])));
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("broker", "iothub-emulator (this commit), EmulatorBrokerHost");
        described.put("arguments", this.command);
        described.put("jvm", this.ready);
        return described;
    }

    @Override
    public void close() throws InterruptedException {
        this.jvm.close();
    }
}
