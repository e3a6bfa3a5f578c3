package dev.iothub.benchmarks.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures of a process: resident set size from {@code /proc} and this JVM's heap after a full collection.
 */
public final class ProcessMemory {

    private ProcessMemory() {
    }

    /** VmRSS of a process in KiB, or -1 where {@code /proc} has no such figure (not Linux). */
    public static long residentKib(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        return -1;
    }

    /** Heap in use now, in bytes. */
    public static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Heap in use after explicit full collections, in bytes: {@code System.gc()} is a full, stop-the-world collection
     * with the default G1 collector (unless {@code -XX:+ExplicitGCInvokesConcurrent}), repeated until the figure
     * settles.
     */
    public static long heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 64 * 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }
}
