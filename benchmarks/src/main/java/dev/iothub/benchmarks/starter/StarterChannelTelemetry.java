package dev.iothub.benchmarks.starter;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.telemetry.TelemetryRun;
import dev.iothub.benchmarks.telemetry.TelemetryScenario;
import dev.iothub.benchmarks.telemetry.TelemetryTarget;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * (b) The starter's Spring Integration channel {@code iotHubTelemetryChannel}: its handler waits for each
 * message's acknowledgement (so failures reach the flow), so messages are sent from several producer threads, as a
 * flow with an executor channel would.
 */
public final class StarterChannelTelemetry implements TelemetryScenario {

    private final int producers;

    public StarterChannelTelemetry(int producers) {
        this.producers = producers;
    }

    @Override
    public String subject() {
        return "(b) starter iotHubTelemetryChannel, " + this.producers + " producer threads";
    }

    @Override
    public TelemetryRun run(TelemetryTarget target, int messages, Deadline deadline) throws Exception {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("benchmark-channel-producer-");
        threads.setDaemon(true);
        ExecutorService pool = Executors.newFixedThreadPool(this.producers, threads);
        try (ConfigurableApplicationContext context = StarterApplications.start(target.hub(), target.deviceId(),
                deadline)) {
            MessageChannel channel = context.getBean(IotHubAutoConfiguration.TELEMETRY_CHANNEL_BEAN_NAME,
                    MessageChannel.class);
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            List<Future<?>> producing = new ArrayList<>();
            for (int i = 0; i < this.producers; i++) {
                producing.add(pool.submit(() -> {
                    while (next.getAndIncrement() < messages) {
                        channel.send(MessageBuilder.withPayload(target.payload()).build());
                    }
                }));
            }
            for (Future<?> producer : producing) {
                producer.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            }
            return new TelemetryRun(messages, System.nanoTime() - start,
                    "synchronous handler (waits for each PUBACK), " + this.producers + " producer threads");
        }
        finally {
            pool.shutdownNow();
        }
    }

}
