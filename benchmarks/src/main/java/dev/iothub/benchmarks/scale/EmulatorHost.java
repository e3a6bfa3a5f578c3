package dev.iothub.benchmarks.scale;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.iothub.benchmarks.process.ProcessCpu;
import dev.iothub.benchmarks.process.ProcessMemory;
import dev.iothub.emulator.IotHubEmulator;

/**
 * Runs the emulator alone in a child JVM so its heap and CPU can be measured apart from the clients. It prints
 * {@code PORT <port>} once listening and then answers one command a line on stdin:
 * <ul>
 * <li>{@code register <prefix> <count> <key>}: registers {@code prefix0..} with the given primary key, answers
 * {@code REGISTERED <count>}</li>
 * <li>{@code heap}: answers {@code HEAP <bytes used after full GC>}</li>
 * <li>{@code stats}: answers {@code STATS <telemetry stored> <process CPU ns>}</li>
 * <li>{@code clear}: forgets stored telemetry, answers {@code CLEARED}</li>
 * </ul>
 * It stops when stdin closes. Arguments: number of I/O threads, path to write the PEM certificate to, and the variant:
 * {@code emulator} (the released {@link IotHubEmulator}), or a prototype fix {@code flush-consolidation} or
 * {@code openssl} (see {@link TransportPrototype}).
 */
public final class EmulatorHost {

    /** The hub name and listening address. */
    static final String ADDRESS = "127.0.0.1";

    /** The variant that runs the released emulator. */
    static final String EMULATOR = "emulator";

    private EmulatorHost() {
    }

    public static void main(String[] args) throws Exception {
        int ioThreads = Integer.parseInt(args[0]);
        try (HostedHub hub = start(args[2], ioThreads)) {
            Files.writeString(Path.of(args[1]), hub.certificatePem());
            System.out.println("PORT " + hub.port());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = commands.readLine()) != null) {
                try {
                    System.out.println(answer(hub, line.trim().split(" ")));
                }
                catch (RuntimeException ex) {
                    System.out.println("ERROR " + ex);
                }
            }
        }
    }

    static HostedHub start(String variant, int ioThreads) throws Exception {
        return switch (variant) {
            case EMULATOR -> released(IotHubEmulator.builder().bindAddress(ADDRESS).hubName(ADDRESS).mqttPort(0)
                .ioThreads(ioThreads).start());
            case "flush-consolidation" -> TransportPrototype.flushConsolidation(ADDRESS, ioThreads);
            case "openssl" -> TransportPrototype.openSsl(ADDRESS, ioThreads);
            default -> throw new IllegalArgumentException("Unknown emulator variant " + variant);
        };
    }

    private static HostedHub released(IotHubEmulator emulator) {
        return new HostedHub() {
            @Override
            public int port() {
                return emulator.mqttPort();
            }

            @Override
            public String certificatePem() {
                return emulator.caCertificatePem();
            }

            @Override
            public void register(String deviceId, String primaryKey) {
                emulator.registerDevice(deviceId, primaryKey);
            }

            @Override
            public int telemetryStored() {
                return emulator.telemetry().size();
            }

            @Override
            public void clearTelemetry() {
                emulator.clearTelemetry();
            }

            @Override
            public void close() {
                emulator.close();
            }
        };
    }

    private static String answer(HostedHub hub, String[] command) {
        switch (command[0]) {
            case "register" -> {
                int count = Integer.parseInt(command[2]);
                for (int i = 0; i < count; i++) {
                    hub.register(command[1] + i, command[3]);
                }
                return "REGISTERED " + count;
            }
            case "heap" -> {
                return "HEAP " + ProcessMemory.heapUsedAfterGc();
            }
            case "stats" -> {
                return "STATS " + hub.telemetryStored() + " " + ProcessCpu.nanos();
            }
            case "clear" -> {
                hub.clearTelemetry();
                return "CLEARED";
            }
            default -> {
                return "ERROR unknown command " + command[0];
            }
        }
    }
}
