package dev.iothub.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MethodCallsTests {

    @Test
    void warmUpLastsAtLeastItsTimeAndIsNotMeasured() throws Exception {
        List<Long> calledAt = new ArrayList<>();
        long start = System.nanoTime();
        Map<String, Object> result = MethodCalls.time((i) -> {
            calledAt.add(System.nanoTime());
            return 200;
        }, 3, TimeUnit.MILLISECONDS.toNanos(50), 10, 1, Deadline.in(Duration.ofSeconds(30), "calls"));
        int warmUp = (int) result.get("warmUpCalls");
        assertThat(warmUp).isGreaterThan(3);
        assertThat(calledAt).hasSize(warmUp + 10);
        assertThat(calledAt.get(warmUp) - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(result).containsEntry("count", 10L);
    }

    @Test
    void warmUpMakesAtLeastItsCallsWhateverTheTime() throws Exception {
        Map<String, Object> result = MethodCalls.time((i) -> 200, 25, 0, 5, 1,
                Deadline.in(Duration.ofSeconds(30), "calls"));
        assertThat(result).containsEntry("warmUpCalls", 25);
    }

}
