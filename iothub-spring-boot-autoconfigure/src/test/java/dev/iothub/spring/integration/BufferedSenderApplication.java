package dev.iothub.spring.integration;

import java.util.Random;
import java.util.concurrent.CountDownLatch;

import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The child JVM of {@link DiskBufferIntegrationTests}: sends numbered telemetry with the disk buffer as fast as the
 * buffer accepts it and prints {@code accepted <n>} after each send returned, until it is killed. With
 * {@code --sender.count=<c>} it sends {@code c} messages of {@link #payload} with {@code --sender.payload-bytes},
 * prints {@code done} and waits to be killed.
 */
public final class BufferedSenderApplication {

    private BufferedSenderApplication() {
    }

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SenderConfiguration.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN")
            .run(args);
        IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
        int count = context.getEnvironment().getProperty("sender.count", Integer.class, Integer.MAX_VALUE);
        int size = context.getEnvironment().getProperty("sender.payload-bytes", Integer.class, 0);
        for (int n = 0; n < count; n++) {
            TelemetryMessage.Builder message = (size > 0) ? TelemetryMessage.builder(payload(n, size))
                    : TelemetryMessage.builder("reading " + n);
            if (!telemetry.send(message.property("n", Integer.toString(n)).build()).isCompletedExceptionally()) {
                System.out.println("accepted " + n);
            }
        }
        System.out.println("done");
        try {
            new CountDownLatch(1).await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The body of message {@code n}: {@code size} bytes that differ for each message. */
    static byte[] payload(int n, int size) {
        byte[] payload = new byte[size];
        new Random(n).nextBytes(payload);
        return payload;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class SenderConfiguration {

    }

}
