package dev.iothub.benchmarks.process;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used, to tell whether the emulator or the load generator is the limit.
 */
public final class ProcessCpu {

    private ProcessCpu() {
    }

    /** CPU time of this process in nanoseconds, all threads, user and system. */
    public static long nanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }
}
