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

    private final List<StackKind> kinds;

    private final ChildJvm jvm;

    private final JsonNode hello;

    private ClientProcess(List<StackKind> kinds, ChildJvm jvm, JsonNode hello) {
        this.kinds = kinds;
        this.jvm = jvm;
        this.hello = hello;
    }

    /** Starts the JVM of stacks that share one ({@link StackKind#jvm()}). */
    static ClientProcess start(List<StackKind> kinds, List<String> launcher, List<String> jvmOptions,
            Path workDirectory) throws IOException, InterruptedException, Deadline.BenchmarkTimeoutException {
        String name = kinds.get(0).jvm();
        ChildJvm jvm = ChildJvm.spawn(launcher, ClientHost.class, jvmOptions,
                List.of(String.join(",", kinds.stream().map(StackKind::id).toList())),
                workDirectory.resolve("client-" + name + ".log"));
        try {
            String ready = jvm.await("READY ", Deadline.in(Duration.ofSeconds(60), name + " start"));
            return new ClientProcess(kinds, jvm, JSON.readTree(ready));
        }
        catch (RuntimeException | Deadline.BenchmarkTimeoutException ex) {
            jvm.close();
            throw ex;
        }
    }

    /** The JVM's name ({@link StackKind#jvm()}). */
    String name() {
        return this.kinds.get(0).jvm();
    }

    /** The stack that warms the JVM: the last it hosts, the one with the most producers among the channel's. */
    StackKind warmUpStack() {
        return this.kinds.get(this.kinds.size() - 1);
    }

    /** What the JVM said about itself: pid, JVM arguments, processors, GC. */
    JsonNode hello() {
        return this.hello;
    }

    /** Sends one command and waits for its result; an {@code ERROR} answer fails. */
    JsonNode call(Map<String, Object> command, Duration timeout) throws Exception {
        this.jvm.send(JSON.writeValueAsString(command));
        return JSON.readTree(this.jvm.await("RESULT ", Deadline.in(timeout.plusSeconds(30),
                name() + " " + command.get("op"))));
    }

    @Override
    public void close() throws InterruptedException {
        this.jvm.close();
    }
}
