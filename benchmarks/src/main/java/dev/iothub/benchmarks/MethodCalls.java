package dev.iothub.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.HdrHistogram.Histogram;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Times direct-method calls (through the Java API or REST): a sequential warm-up of at least a number of calls
 * and at least a given time, then {@code calls} calls from {@code concurrency} callers, each call timed from request
 * to result.
 */
public final class MethodCalls {

    /** One call; answers the method's status. */
    @FunctionalInterface
    public interface Call {

        int invoke(int index) throws Exception;
    }

    private MethodCalls() {
    }

    /**
     * Runs the calls and answers p50/p99/p99.9/max in ms and calls per second.
     *
     * @param warmUpCalls the fewest unmeasured calls
     * @param warmUpNanos the shortest time of the unmeasured calls (a method path is only compiled by the JIT after
     * thousands of calls)
     */
    public static Map<String, Object> time(Call call, int warmUpCalls, long warmUpNanos, int calls, int concurrency,
            Deadline deadline) throws Exception {
        long warmUpStart = System.nanoTime();
        int warmUp = 0;
        while (warmUp < warmUpCalls || System.nanoTime() - warmUpStart < warmUpNanos) {
            check(call.invoke(warmUp), warmUp);
            warmUp++;
            deadline.check();
        }
        long warmUpElapsed = System.nanoTime() - warmUpStart;
        int offset = warmUp;
        long[] latencies = new long[calls];
        AtomicInteger next = new AtomicInteger();
        Runnable caller = () -> {
            int i;
            while ((i = next.getAndIncrement()) < calls) {
                long start = System.nanoTime();
                try {
                    check(call.invoke(offset + i), i);
                }
                catch (RuntimeException ex) {
                    throw ex;
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
                latencies[i] = System.nanoTime() - start;
            }
        };
        long start = System.nanoTime();
        if (concurrency == 1) {
            caller.run();
        }
        else {
            CustomizableThreadFactory threads = new CustomizableThreadFactory("benchmark-method-caller-");
            threads.setDaemon(true);
            ExecutorService pool = Executors.newFixedThreadPool(concurrency, threads);
            try {
                List<Future<?>> callers = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    callers.add(pool.submit(caller));
                }
                for (Future<?> running : callers) {
                    running.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
                }
            }
            finally {
                pool.shutdownNow();
            }
        }
        long elapsed = System.nanoTime() - start;
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(5), 3);
        for (long latency : latencies) {
            histogram.recordValue(latency);
        }
        Map<String, Object> result = percentiles(histogram);
        result.put("calls", calls);
        result.put("concurrency", concurrency);
        result.put("warmUpCalls", warmUp);
        result.put("warmUpSeconds", warmUpElapsed / 1e9);
        result.put("callsPerSecond", calls / (elapsed / 1e9));
        return result;
    }

    /** p50, p99, p99.9 and max of nanosecond values, in milliseconds. */
    public static Map<String, Object> percentiles(Histogram nanos) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("p50Millis", nanos.getValueAtPercentile(50) / 1e6);
        result.put("p99Millis", nanos.getValueAtPercentile(99) / 1e6);
        result.put("p999Millis", nanos.getValueAtPercentile(99.9) / 1e6);
        result.put("maxMillis", nanos.getMaxValue() / 1e6);
        result.put("count", nanos.getTotalCount());
        return result;
    }

    private static void check(int status, int index) {
        if (status != 200) {
            throw new IllegalStateException("call " + index + " answered status " + status);
        }
    }
}
