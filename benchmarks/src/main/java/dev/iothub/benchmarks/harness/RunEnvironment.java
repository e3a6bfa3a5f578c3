package dev.iothub.benchmarks.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the figures depend on: the commit and whether the tree was clean, the machine, the JVM, the load.
 */
final class RunEnvironment {

    private RunEnvironment() {
    }

    static Map<String, Object> capture(HarnessOptions options) {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("startedAt", Instant.now().toString());
        String commit = MosquittoBroker.run(List.of("git", "rev-parse", "HEAD")).trim();
        environment.put("commit", commit.matches("[0-9a-f]{40}") ? commit : "unknown (not a git work tree)");
        List<String> changes = MosquittoBroker.run(List.of("git", "status", "--porcelain")).lines().toList();
        environment.put("dirty", !changes.isEmpty());
        environment.put("dirtyFiles", changes.subList(0, Math.min(changes.size(), 30)));
        environment.put("processors", Runtime.getRuntime().availableProcessors());
        environment.put("cpuModel", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        environment.put("memTotal", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        environment.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        environment.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        environment.put("harnessJvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        environment.put("loadAverageAtStart", loadAverage());
        return environment;
    }

    /** The 1, 5 and 15 minute load averages, as {@code /proc/loadavg} has them. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (IOException | RuntimeException ex) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (IOException ex) {
            // not Linux
        }
        return "unknown";
    }
}
