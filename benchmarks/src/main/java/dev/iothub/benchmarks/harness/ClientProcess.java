package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.client.ClientHost;
import dev.iothub.benchmarks.client.StackKind;
import dev.iothub.benchmarks.process.ChildJvm;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fresh JVM running {@link ClientHost} for one stack, pinned to the client core, and the command protocol to it.
 */
final class ClientProcess implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StackKind kind;

    private final ChildJvm jvm;

    private final JsonNode hello;

    private ClientProcess(StackKind kind, ChildJvm jvm, JsonNode hello) {
        this.kind = kind;
        this.jvm = jvm;
        this.hello = hello;
    }

    static ClientProcess start(StackKind kind, List<String> launcher, List<String> jvmOptions, Path workDirectory)
            throws IOException, InterruptedException, Deadline.BenchmarkTimeoutException {
        ChildJvm jvm = ChildJvm.spawn(launcher, ClientHost.class, jvmOptions, List.of(kind.id()),
                workDirectory.resolve("client-" + kind.id() + ".log"));
        try {
            String ready = jvm.await("READY ", Deadline.in(Duration.ofSeconds(60), kind.id() + " start"));
            return new ClientProcess(kind, jvm, JSON.readTree(ready));
        }
        catch (RuntimeException | Deadline.BenchmarkTimeoutException ex) {
            jvm.close();
            throw ex;
        }
    }

    StackKind kind() {
        return this.kind;
    }

    /** What the JVM said about itself: pid, JVM arguments, processors, GC. */
    JsonNode hello() {
        return this.hello;
    }

    /** Sends one command and waits for its result; an {@code ERROR} answer fails. */
    JsonNode call(Map<String, Object> command, Duration timeout) throws Exception {
        this.jvm.send(JSON.writeValueAsString(command));
        return JSON.readTree(this.jvm.await("RESULT ", Deadline.in(timeout.plusSeconds(30),
                this.kind.id() + " " + command.get("op"))));
    }

    @Override
    public void close() throws InterruptedException {
        this.jvm.close();
    }
}
