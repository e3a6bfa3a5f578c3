package dev.iothub.benchmarks.harness;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.MethodCalls;
import dev.iothub.benchmarks.process.ProcessMemory;
import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The emulator as the broker, alone in its JVM: listens on {@code <address>:<port>} with the hub name
 * {@code <address>}, writes its certificate to a PEM file, prints {@code READY <json>} (MQTT port, REST URL, pid, JVM
 * arguments) and answers one command a line with {@code RESULT <json>} or {@code ERROR <message>}:
 * <ul>
 * <li>{@code register <prefix> <count> <key>}: registers devices {@code prefix0..prefix<count-1>}</li>
 * <li>{@code methods <deviceId> <warm-up calls> <warm-up seconds> <calls> <concurrency>}: times
 * {@code invokeMethod("echo")} through the Java API, from this JVM</li>
 * <li>{@code clear}: forgets stored telemetry</li>
 * <li>{@code memory}: heap used after full collections, the maximum heap and the resident set size</li>
 * <li>{@code connected <prefix> <count>}: how many of devices {@code prefix0..prefix<count-1>} are connected</li>
 * </ul>
 * It stops when stdin closes. Arguments: address, MQTT port, PEM path, I/O threads.
 */
public final class EmulatorBrokerHost {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EmulatorBrokerHost() {
    }

    /**
     * Telemetry kept per identity (the emulator's default is 10,000): the runs send millions of messages from some
     * 200 identities, which would otherwise fill the 1 GiB heap and turn the emulator's time into full collections.
     */
    private static final int RETAINED_TELEMETRY = 1_000;

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        String address = args[0];
        try (IotHubEmulator hub = IotHubEmulator.builder().bindAddress(address).hubName(address)
            .mqttPort(Integer.parseInt(args[1])).webSocketPort(-1).ioThreads(Integer.parseInt(args[3]))
            .telemetryCapacity(RETAINED_TELEMETRY).start()) {
            Files.writeString(Path.of(args[2]), hub.caCertificatePem());
            Map<String, Object> ready = new LinkedHashMap<>();
            ready.put("port", hub.mqttPort());
            ready.put("restUrl", hub.serviceUri().toString().replaceAll("/$", ""));
            ready.put("pid", ProcessHandle.current().pid());
            ready.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
            ready.put("availableProcessors", Runtime.getRuntime().availableProcessors());
            protocol.println("READY " + JSON.writeValueAsString(ready));
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = commands.readLine()) != null) {
                try {
                    protocol.println("RESULT " + JSON.writeValueAsString(answer(hub, line.trim().split(" "))));
                }
                catch (Exception ex) {
                    ex.printStackTrace();
                    protocol.println("ERROR " + String.valueOf(ex).replace('\n', ' '));
                }
            }
        }
    }

    private static Map<String, Object> answer(IotHubEmulator hub, String[] command) throws Exception {
        switch (command[0]) {
            case "register" -> {
                int count = Integer.parseInt(command[2]);
                Set<String> registered = hub.devices().stream().map(DeviceIdentity::deviceId)
                    .collect(Collectors.toSet());
                for (int i = 0; i < count; i++) {
                    if (!registered.contains(command[1] + i)) {
                        hub.registerDevice(command[1] + i, command[3]);
                    }
                }
                return Map.of("registered", count);
            }
            case "methods" -> {
                String deviceId = command[1];
                Deadline deadline = Deadline.in(Duration.ofMinutes(5), "Java API method calls");
                return MethodCalls.time((i) -> hub.invokeMethod(deviceId, "echo", "{\"call\":" + i + "}",
                        Duration.ofSeconds(10)).status(), Integer.parseInt(command[2]),
                        (long) (Double.parseDouble(command[3]) * 1e9), Integer.parseInt(command[4]),
                        Integer.parseInt(command[5]), deadline);
            }
            case "clear" -> {
                hub.clearTelemetry();
                return Map.of("cleared", true);
            }
            case "memory" -> {
                Map<String, Object> memory = new LinkedHashMap<>();
                memory.put("heapUsedAfterGcBytes", ProcessMemory.heapUsedAfterGc());
                memory.put("heapMaxBytes", Runtime.getRuntime().maxMemory());
                memory.put("rssKib", ProcessMemory.residentKib(ProcessHandle.current().pid()));
                return memory;
            }
            case "connected" -> {
                int count = Integer.parseInt(command[2]);
                int connected = 0;
                for (int i = 0; i < count; i++) {
                    if (hub.isConnected(command[1] + i)) {
                        connected++;
                    }
                }
                return Map.of("connected", connected);
            }
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        }
    }
}
