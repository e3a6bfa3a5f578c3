package dev.iothub.benchmarks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;

/**
 * A JVM started from this one's {@code java.home}, running another main class of this jar or another jar. It answers
 * on stdout with lines; stderr goes to a log file. Closing it asks it to exit and kills it if it does not.
 */
public final class ChildJvm implements AutoCloseable {

    private static final String END_OF_OUTPUT = "\u0000eof";

    private final Process process;

    private final long spawnedAtNanos;

    private final PrintWriter stdin;

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private final Thread reader;

    private volatile boolean quiet;

    private ChildJvm(Process process, long spawnedAtNanos, String name) {
        this.process = process;
        this.spawnedAtNanos = spawnedAtNanos;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.reader = new Thread(this::readStdout, "benchmark-child-reader-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Spawns {@code mainClass} in a new JVM.
     *
     * @param jvmOptions options such as {@code -Xmx} or {@code -XX:StartFlightRecording}
     * @param log where the child's stderr goes
     */
    public static ChildJvm spawn(Class<?> mainClass, List<String> jvmOptions, List<String> args, Path log)
            throws IOException {
        return spawn(List.of(), mainClass, jvmOptions, args, log);
    }

    /**
     * Spawns {@code mainClass} in a new JVM started through a launcher, e.g. {@code taskset -c 1}, which must exec the
     * JVM so that its pid is the JVM's.
     */
    public static ChildJvm spawn(List<String> launcher, Class<?> mainClass, List<String> jvmOptions, List<String> args,
            Path log) throws IOException {
        List<String> javaArguments = new ArrayList<>(jvmOptions);
        javaArguments.add("-cp");
        javaArguments.add(System.getProperty("java.class.path"));
        javaArguments.add(mainClass.getName());
        javaArguments.addAll(args);
        return spawn(launcher, javaArguments, mainClass.getSimpleName(), log);
    }

    /**
     * Spawns this JVM's {@code java} with arguments of one's own, such as {@code -jar app.jar}, through a launcher as
     * above.
     *
     * @param name names the thread that reads the child's stdout
     */
    public static ChildJvm spawn(List<String> launcher, List<String> javaArguments, String name, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArguments);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        long spawnedAt = System.nanoTime();
        Process process = builder.start();
        return new ChildJvm(process, spawnedAt, name);
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                this.lines.add(line);
            }
        }
        catch (IOException ex) {
            this.lines.add("ERROR reading child output: " + ex);
        }
        this.lines.add(END_OF_OUTPUT);
    }

    /** The child's process id. */
    public long pid() {
        return this.process.pid();
    }

    /** When the child was spawned, on the {@link System#nanoTime()} scale. */
    public long spawnedAtNanos() {
        return this.spawnedAtNanos;
    }

    /** Sends one command line to the child. */
    public void send(String command) {
        this.stdin.println(command);
    }

    /**
     * Waits for the next line starting with {@code prefix} (other lines are echoed) and returns its remainder.
     *
     * @throws IllegalStateException when the child ends or reports {@code ERROR} first
     */
    public String await(String prefix, Deadline deadline) throws InterruptedException, Deadline.BenchmarkTimeoutException {
        while (true) {
            String line = this.lines.poll(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw deadline.expired("child " + pid() + " did not print " + prefix);
            }
            if (line.equals(END_OF_OUTPUT)) {
                this.lines.add(END_OF_OUTPUT);
                throw new IllegalStateException("child " + pid() + " ended before printing " + prefix);
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
            if (line.startsWith("ERROR")) {
                throw new IllegalStateException("child " + pid() + ": " + line);
            }
            if (!this.quiet) {
                System.out.println("    [child] " + line);
            }
        }
    }

    /** The child's resident set size in KiB, from {@code /proc/<pid>/status}. */
    public long residentKib() throws IOException {
        return ProcessMemory.residentKib(pid());
    }

    /** Stops echoing the child's other stdout lines (libraries that log to the console). */
    public ChildJvm quiet() {
        this.quiet = true;
        return this;
    }

    /** Asks the child to exit (closes its stdin) and kills it if it has not exited after a few seconds. */
    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(10));
    }

    /**
     * Asks the child to exit (closes its stdin) and kills it if it has not exited within {@code exitWait}.
     *
     * @return whether it exited by itself
     */
    public boolean close(Duration exitWait) throws InterruptedException {
        this.stdin.close();
        boolean exited = this.process.waitFor(exitWait.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            this.process.destroyForcibly();
            this.process.waitFor(5, TimeUnit.SECONDS);
        }
        this.reader.join(TimeUnit.SECONDS.toMillis(5));
        return exited;
    }
}
