package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.spring.annotation.DirectMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst of direct-method requests far larger than the method pool: every request gets an answer, 200 from the
 * handler or 503 at once, and the log says so once for the burst.
 */
@ExtendWith(OutputCaptureExtension.class)
class DirectMethodBurstIntegrationTests {

    private static final int REQUESTS = 5_000;

    private static final int THREADS = 4;

    private static final int QUEUE = 100;

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenABurstOverflowsTheMethodPoolThenEveryRequestIsAnsweredAndTheLogSaysItOnce(CapturedOutput output) {
        String deviceId = "burst";
        emulator.registerDevice(deviceId);
        try (ConfigurableApplicationContext context = EmulatorApplications.runConnected(emulator, deviceId,
                new Class<?>[] { Slow.class }, "iothub.handlers.method-threads=" + THREADS,
                "iothub.handlers.queue-capacity=" + QUEUE)) {
            Slow slow = context.getBean(Slow.class);
            List<CompletableFuture<Integer>> statuses = IntStream.range(0, REQUESTS)
                .mapToObj((i) -> emulator.invokeMethodAsync(deviceId, "slow", null, Duration.ofSeconds(120))
                    .handle((result, ex) -> (ex != null) ? -1 : result.status()))
                .toList();

            await().atMost(Duration.ofSeconds(90))
                .until(() -> statuses.stream().filter(CompletableFuture::isDone).count() >= REQUESTS - THREADS - QUEUE);
            slow.release.countDown();
            await().atMost(Duration.ofSeconds(90)).until(() -> statuses.stream().allMatch(CompletableFuture::isDone));

            Map<Integer, Long> answers = statuses.stream()
                .collect(Collectors.groupingBy(CompletableFuture::join, Collectors.counting()));
            assertThat(answers).containsOnlyKeys(200, 503).containsEntry(200, (long) (THREADS + QUEUE));
            List<String> problems = output.getAll().lines()
                .filter((line) -> line.contains(" WARN ") || line.contains(" ERROR "))
                .toList();
            assertThat(problems).filteredOn((line) -> line.contains("direct-method") && line.contains("503"))
                .hasSize(1);
            assertThat(problems).noneMatch((line) -> line.contains("cloud-to-device"));
            assertThat(problems).hasSizeLessThan(5);
        }
    }

    static class Slow {

        final CountDownLatch release = new CountDownLatch(1);

        @DirectMethod("slow")
        void slow() throws InterruptedException {
            this.release.await(120, TimeUnit.SECONDS);
        }

    }

}
