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
 * It stops when stdin closes. Arguments: number of I/O threads, path to write the PEM certificate to.
 */
public final class EmulatorHost {

    /** The hub name and listening address. */
    static final String ADDRESS = "127.0.0.1";

    private EmulatorHost() {
    }

    public static void main(String[] args) throws Exception {
        int ioThreads = Integer.parseInt(args[0]);
        try (IotHubEmulator hub = IotHubEmulator.builder().bindAddress(ADDRESS).hubName(ADDRESS).mqttPort(0)
            .ioThreads(ioThreads).start()) {
            Files.writeString(Path.of(args[1]), hub.caCertificatePem());
            System.out.println("PORT " + hub.mqttPort());
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

    private static String answer(IotHubEmulator hub, String[] command) {
        switch (command[0]) {
            case "register" -> {
                int count = Integer.parseInt(command[2]);
                for (int i = 0; i < count; i++) {
                    hub.registerDevice(command[1] + i, command[3]);
                }
                return "REGISTERED " + count;
            }
            case "heap" -> {
                return "HEAP " + ProcessMemory.heapUsedAfterGc();
            }
            case "stats" -> {
                return "STATS " + hub.telemetry().size() + " " + ProcessCpu.nanos();
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
