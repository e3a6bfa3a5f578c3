package dev.iothub.benchmarks.startup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.iothub.benchmarks.Payloads;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * A starter application that sends one telemetry message a second, run in a child JVM for the idle-cost scenario:
 * it prints {@code READY} once connected, answers {@code stats} with {@code STATS <acknowledged> <failed>}, and
 * exits when its stdin closes.
 * <p>
 * Arguments: connection string, path of the broker's PEM certificate, MQTT port, SAS token time to live in seconds
 * (short, so that the run crosses several renewals).
 */
public final class IdleStarterApp {

    private IdleStarterApp() {
    }

    public static void main(String[] args) throws Exception {
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("idle-sender-");
        scheduler.initialize();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(IdleApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=" + args[0], "iothub.port=" + args[2],
                    "iothub.ssl.bundle=broker", "spring.ssl.bundle.pem.broker.truststore.certificate=file:" + args[1],
                    "iothub.sas.time-to-live=" + args[3] + "s", "spring.main.banner-mode=off",
                    "logging.level.root=WARN")
            .run()) {
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!connection.isConnected() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            byte[] payload = Payloads.telemetryJson();
            scheduler.scheduleAtFixedRate(() -> telemetry.send(payload).whenComplete((done, failure) -> {
                if (failure == null) {
                    acknowledged.incrementAndGet();
                }
                else {
                    failed.incrementAndGet();
                }
            }), Duration.ofSeconds(1));
            System.out.println("READY");
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null) {
                if (command.equals("stats")) {
                    System.out.println("STATS " + acknowledged.get() + " " + failed.get());
                }
            }
        }
        catch (Exception ex) {
            System.out.println("ERROR " + ex);
        }
        finally {
            scheduler.shutdown();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class IdleApplication {

    }
}
