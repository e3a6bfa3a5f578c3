package dev.iothub.benchmarks.starter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.telemetry.TelemetryRun;
import dev.iothub.benchmarks.telemetry.TelemetryScenario;
import dev.iothub.benchmarks.telemetry.TelemetryTarget;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * (a) The starter's telemetry API: {@code IotHubTelemetryTemplate.send(byte[])} from one thread, pipelined by the
 * starter's publish queue (in-flight window 1000), timed until every returned future completed.
 */
public final class StarterTelemetry implements TelemetryScenario {

    @Override
    public String subject() {
        return "(a) starter IotHubTelemetryTemplate.send";
    }

    @Override
    public TelemetryRun run(TelemetryTarget target, int messages, Deadline deadline) throws Exception {
        try (ConfigurableApplicationContext context = StarterApplications.start(target.hub(), target.deviceId(),
                deadline)) {
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            CompletableFuture<?>[] sent = new CompletableFuture<?>[messages];
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                sent[i] = telemetry.send(target.payload());
            }
            CompletableFuture.allOf(sent).get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            return new TelemetryRun(messages, System.nanoTime() - start, "max-in-flight 1000, one sending thread");
        }
    }

}
