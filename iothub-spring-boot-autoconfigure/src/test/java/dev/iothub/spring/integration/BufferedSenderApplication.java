package dev.iothub.spring.integration;

import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The child JVM of {@link DiskBufferIntegrationTests}: sends numbered telemetry with the disk buffer as fast as the
 * buffer accepts it and prints {@code accepted <n>} after each send returned, until it is killed.
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
        for (int n = 0;; n++) {
            if (!telemetry.send(TelemetryMessage.builder("reading " + n).property("n", Integer.toString(n)).build())
                .isCompletedExceptionally()) {
                System.out.println("accepted " + n);
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class SenderConfiguration {

    }

}
