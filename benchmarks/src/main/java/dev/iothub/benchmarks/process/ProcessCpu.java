package dev.iothub.benchmarks.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by this JVM or by another process, to tell whether the broker or the client is the limit.
 */
public final class ProcessCpu {

    private ProcessCpu() {
    }

    /** CPU time of this process in nanoseconds, all threads, user and system. */
    public static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * CPU time of a process in nanoseconds, user and system, from {@code /proc/<pid>/stat} (10 ms resolution at the
     * usual 100 ticks per second), or -1 where there is no such file.
     */
    public static long nanosOf(long pid, long ticksPerSecond) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name in parentheses may hold spaces: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 1_000_000_000L / ticksPerSecond;
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
    }
}
