package dev.iothub.benchmarks.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The starter in a Spring Boot application (no web server) connected as one device: either its telemetry API,
 * {@code IotHubTelemetryTemplate.send(byte[])} from one thread timed until every future completed, or its Spring
 * Integration channel {@code iotHubTelemetryChannel} fed by {@code producers} threads (its handler waits for each
 * PUBACK). At its defaults no publish property is set (max-in-flight 100, max-pending 1,000); tuned sets
 * max-in-flight and max-pending to the window: like raw Paho's like-for-like stack, the sender can have the window's
 * messages outstanding and no more.
 */
final class StarterStack implements ClientStack {

    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final boolean defaults;

    private final int producers;

    /**
     * @param defaults whether to leave the publish properties at their defaults
     * @param producers 0 for the telemetry API, else the channel's producer threads
     */
    StarterStack(boolean defaults, int producers) {
        this.defaults = defaults;
        this.producers = producers;
    }

    @Override
    public ClientSession open(Target target, int window, int connections, byte[] payload) throws Exception {
        if (connections != 1) {
            throw new IllegalArgumentException("one starter application is one device connection");
        }
        List<String> properties = new ArrayList<>();
        if (!this.defaults) {
            properties.add("iothub.publish.max-in-flight=" + window);
            properties.add("iothub.publish.max-pending=" + window);
        }
        ConfigurableApplicationContext context = start(target, target.deviceId(0), properties);
        if (this.producers == 0) {
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            return new PublishingSession<IotHubTelemetryTemplate>(List.of(telemetry)) {
                @Override
                void publish(IotHubTelemetryTemplate template, int tag, Acknowledgement ack, Deadline deadline) {
                    template.send(payload).whenComplete((done, failure) -> ack.acknowledged(tag, failure));
                }

                @Override
                void disconnect(IotHubTelemetryTemplate template) {
                    context.close();
                }
            };
        }
        return new ChannelSession(context,
                context.getBean(IotHubAutoConfiguration.TELEMETRY_CHANNEL_BEAN_NAME, MessageChannel.class),
                this.producers, payload);
    }

    @Override
    public AutoCloseable methodDevice(Target target, String deviceId) throws Exception {
        return start(target, deviceId, List.of(), EchoConfiguration.class);
    }

    private static ConfigurableApplicationContext start(Target target, String deviceId, List<String> extra,
            Class<?>... sources) throws Exception {
        List<String> properties = new ArrayList<>(List.of(
                "iothub.connection-string=" + target.connectionString(deviceId),
                "iothub.port=" + target.port(),
                "iothub.ssl.bundle=broker",
                "spring.ssl.bundle.pem.broker.truststore.certificate=" + target.caPemText(),
                "spring.main.banner-mode=off",
                "logging.level.root=WARN"));
        properties.addAll(extra);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DeviceApplication.class)
            .sources(sources)
            .web(WebApplicationType.NONE)
            .properties(properties.toArray(String[]::new))
            .run();
        IotHubClientManager connection = context.getBean(IotHubClientManager.class);
        Deadline deadline = Deadline.in(java.time.Duration.ofNanos(CONNECT_TIMEOUT_NANOS), "starter connect");
        while (!connection.isConnected()) {
            if (deadline.remainingNanos() == 0) {
                context.close();
                throw deadline.expired(deviceId + " not connected");
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return context;
    }

    /** The channel fed by producer threads, each sending until the run's count is reached. */
    private static final class ChannelSession implements ClientSession {

        private final ConfigurableApplicationContext context;

        private final MessageChannel channel;

        private final int producers;

        private final byte[] payload;

        private final @Nullable ExecutorService pool;

        ChannelSession(ConfigurableApplicationContext context, MessageChannel channel, int producers, byte[] payload) {
            this.context = context;
            this.channel = channel;
            this.producers = producers;
            this.payload = payload;
            if (producers > 1) {
                CustomizableThreadFactory threads = new CustomizableThreadFactory("benchmark-channel-producer-");
                threads.setDaemon(true);
                this.pool = Executors.newFixedThreadPool(producers, threads);
            }
            else {
                this.pool = null;
            }
        }

        @Override
        public void send(int messages, Deadline deadline) throws Exception {
            AtomicInteger next = new AtomicInteger();
            Runnable producer = () -> {
                while (next.getAndIncrement() < messages) {
                    this.channel.send(MessageBuilder.withPayload(this.payload).build());
                }
            };
            if (this.pool == null) {
                producer.run();
                return;
            }
            List<Future<?>> producing = new ArrayList<>();
            for (int i = 0; i < this.producers; i++) {
                producing.add(this.pool.submit(producer));
            }
            for (Future<?> running : producing) {
                running.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void close() {
            if (this.pool != null) {
                this.pool.shutdownNow();
            }
            this.context.close();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DeviceApplication {

    }

    @Configuration(proxyBeanMethods = false)
    static class EchoConfiguration {

        @Bean
        Echo echo() {
            return new Echo();
        }

    }

    static class Echo {

        @DirectMethod("echo")
        JsonNode echo(JsonNode request) {
            return request;
        }

    }
}
