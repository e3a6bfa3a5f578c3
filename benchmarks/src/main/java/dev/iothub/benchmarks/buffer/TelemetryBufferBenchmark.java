package dev.iothub.benchmarks.buffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.buffer.DiskBufferOptions.Sync;
import dev.iothub.spring.buffer.DiskBufferOptions.WhenFull;
import dev.iothub.spring.buffer.TelemetryLog;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Measures the disk buffer's storage candidates (our segmented log, H2's MVStore, SQLite in WAL mode) with 256-byte
 * messages, under group commit and under a sync per message, then the starter sending to the in-process emulator
 * with the memory buffer and with the disk buffer. Prints one line per figure.
 * <p>
 * {@code java -cp benchmarks/target/iothub-benchmarks.jar dev.iothub.benchmarks.buffer.TelemetryBufferBenchmark
 * [messages] [rounds] [starter-only]}: {@code rounds} (default 2) alternations of memory and disk buffer, back to
 * back, each printed with the ratio disk / memory of its round; {@code starter-only} skips the storage candidates.
 */
public final class TelemetryBufferBenchmark {

    private static final String TOPIC = "devices/bench/messages/events/%24.mid=0b6f3c1e-8d1a-4a55-9e43-5b3f0f3f0c11";

    private static final byte[] PAYLOAD = new byte[256];

    private static final int THREADS = 8;

    private TelemetryBufferBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = (args.length > 0) ? Integer.parseInt(args[0]) : 50_000;
        int rounds = (args.length > 1) ? Integer.parseInt(args[1]) : 2;
        boolean starterOnly = args.length > 2 && args[2].equals("starter-only");
        Path work = Files.createTempDirectory("iothub-buffer-bench");
        System.out.printf("%-58s %12s%n", "candidate (256 B messages)", "msgs/s");
        if (!starterOnly) {
            candidates(work, messages);
        }
        try (IotHubEmulator hub = IotHubEmulator.builder().servicePort(-1).start()) {
            hub.registerDevice("bench");
            for (int round = 0; round < rounds; round++) {
                double memory = starter(hub, work, "memory", messages);
                print("starter to emulator, memory buffer (round " + (round + 1) + ")", memory);
                double disk = starter(hub, work, "disk", messages);
                print("starter to emulator, disk buffer, sync interval (round " + (round + 1) + ")", disk);
                System.out.printf("%-58s %12.2f%n", "  disk / memory (round " + (round + 1) + ")", disk / memory);
            }
        }
        delete(work);
    }

    private static void candidates(Path work, int messages) throws Exception {
        print("segmented log, sync every 200 ms, 1 thread", log(work, Sync.INTERVAL, messages, 1));
        print("segmented log, sync per message, 1 thread", log(work, Sync.EVERY_MESSAGE, messages / 10, 1));
        print("segmented log, sync per message (group commit), 8 threads",
                log(work, Sync.EVERY_MESSAGE, messages / 2, THREADS));
        print("MVStore, commit every 200 ms, 1 thread", mvStore(work, false, messages));
        print("MVStore, commit+sync per message, 1 thread", mvStore(work, true, messages / 10));
        print("SQLite WAL, synchronous=NORMAL, batch of 1000 per commit, 1 thread",
                sqlite(work, "NORMAL", 1000, messages));
        print("SQLite WAL, synchronous=FULL, commit per message, 1 thread", sqlite(work, "FULL", 1, messages / 10));
    }

    private static double log(Path work, Sync sync, int messages, int threads) throws Exception {
        Path directory = Files.createTempDirectory(work, "log");
        try (TelemetryLog log = TelemetryLog.open(new DiskBufferOptions(directory, 1L << 30, sync,
                Duration.ofMillis(200), WhenFull.BLOCK), "bench")) {
            return timed(messages, threads, () -> log.append(TOPIC, PAYLOAD, Duration.ZERO));
        }
    }

    private static double mvStore(Path work, boolean syncEach, int messages) throws Exception {
        Path file = Files.createTempDirectory(work, "mv").resolve("buffer.mv");
        MVStore.Builder builder = new MVStore.Builder().fileName(file.toString());
        if (syncEach) {
            builder.autoCommitDisabled();
        }
        else {
            builder.autoCommitBufferSize(1024);
        }
        try (MVStore store = builder.open()) {
            if (!syncEach) {
                store.setAutoCommitDelay(200);
            }
            MVMap<Long, byte[]> map = store.openMap("telemetry");
            AtomicLong sequence = new AtomicLong();
            return timed(messages, 1, () -> {
                map.put(sequence.getAndIncrement(), record());
                if (syncEach) {
                    store.commit();
                    store.sync();
                }
            });
        }
    }

    private static double sqlite(Path work, String synchronous, int batch, int messages) throws Exception {
        Path file = Files.createTempDirectory(work, "sqlite").resolve("buffer.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=" + synchronous);
                statement.execute("CREATE TABLE telemetry (seq INTEGER PRIMARY KEY, topic TEXT, payload BLOB)");
            }
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO telemetry (topic, payload) VALUES (?, ?)")) {
                AtomicLong count = new AtomicLong();
                return timed(messages, 1, () -> {
                    insert.setString(1, TOPIC);
                    insert.setBytes(2, PAYLOAD);
                    insert.executeUpdate();
                    if (count.incrementAndGet() % batch == 0) {
                        connection.commit();
                    }
                });
            }
        }
    }

    private static double starter(IotHubEmulator hub, Path work, String buffer, int messages) throws Exception {
        Path directory = Files.createTempDirectory(work, "starter");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DeviceApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=" + hub.connectionString("bench"), "iothub.port=" + hub.mqttPort(),
                    "iothub.ssl.bundle=emulator",
                    "spring.ssl.bundle.pem.emulator.truststore.certificate=" + hub.caCertificatePem(),
                    "iothub.publish.max-in-flight=1000", "iothub.publish.max-pending=10000",
                    "iothub.buffer.type=" + buffer, "iothub.buffer.directory=" + directory,
                    "iothub.buffer.max-size=1GB", "spring.main.banner-mode=off", "logging.level.root=WARN")
            .run()) {
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!connection.isConnected() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            CompletableFuture<?>[] sent = new CompletableFuture<?>[messages];
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                sent[i] = telemetry.send(PAYLOAD);
            }
            CompletableFuture.allOf(sent).get(2, TimeUnit.MINUTES);
            return messages / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static byte[] record() {
        byte[] record = new byte[TOPIC.length() + PAYLOAD.length];
        System.arraycopy(PAYLOAD, 0, record, TOPIC.length(), PAYLOAD.length);
        return record;
    }

    private static double timed(int messages, int threads, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < messages / threads; i++) {
                        step.run();
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
            return (messages / threads * threads) / ((System.nanoTime() - start) / 1e9);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static void print(String candidate, double rate) {
        System.out.printf("%-58s %,12.0f%n", candidate, rate);
    }

    private static void delete(Path work) throws Exception {
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
    }

    @FunctionalInterface
    private interface Step {

        void run() throws Exception;

    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DeviceApplication {

    }

}
