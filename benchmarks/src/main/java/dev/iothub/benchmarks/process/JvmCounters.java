package dev.iothub.benchmarks.process;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this JVM has spent so far: CPU time (all threads), bytes allocated (summed over live threads, so threads that
 * ended in between are missed), context switches (summed over {@code /proc/self/task}, same caveat) and GC.
 *
 * @param cpuNanos process CPU time, user and system
 * @param allocatedBytes bytes allocated by the threads alive now
 * @param contextSwitches voluntary and involuntary switches of the threads alive now, -1 without {@code /proc}
 * @param gcCount collections of every collector
 * @param gcMillis time in collections
 */
public record JvmCounters(long cpuNanos, long allocatedBytes, long contextSwitches, long gcCount, long gcMillis) {

    /** The counters now. */
    public static JvmCounters now() {
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        return new JvmCounters(ProcessCpu.nanos(), threadAllocatedBytes(), contextSwitches("self"), gcCount, gcMillis);
    }

    /** The figures per message of what was spent since {@code before}. */
    public Map<String, Object> perMessageSince(JvmCounters before, long messages) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("cpuMicrosPerMessage", (this.cpuNanos - before.cpuNanos) / 1e3 / messages);
        figures.put("allocatedBytesPerMessage", (double) (this.allocatedBytes - before.allocatedBytes) / messages);
        if (this.contextSwitches >= 0 && before.contextSwitches >= 0) {
            figures.put("contextSwitchesPerMessage", (double) (this.contextSwitches - before.contextSwitches) / messages);
        }
        figures.put("gcCount", this.gcCount - before.gcCount);
        figures.put("gcMillis", this.gcMillis - before.gcMillis);
        figures.put("cpuNanos", this.cpuNanos - before.cpuNanos);
        return figures;
    }

    private static long threadAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
        long total = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    /**
     * Voluntary and involuntary context switches of every thread of a process, from {@code /proc}; -1 where that
     * cannot be read.
     */
    public static long contextSwitches(String pid) {
        Path tasks = Path.of("/proc", pid, "task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        long total = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
            for (Path task : all) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")
                                || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                }
                catch (IOException ex) {
                    // the thread ended while being read
                }
            }
        }
        catch (IOException ex) {
            return -1;
        }
        return total;
    }
}
