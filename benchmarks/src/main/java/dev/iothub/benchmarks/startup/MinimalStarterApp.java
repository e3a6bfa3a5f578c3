package dev.iothub.benchmarks.startup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Payloads;
import dev.iothub.benchmarks.process.ProcessMemory;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The starter's counterpart of {@link MinimalSdkApp}, run in a child JVM: a Spring Boot application with one
 * {@code @DirectMethod} bean that prints {@code READY <jvm uptime ms>} once connected and subscribed; on {@code send}
 * it sends telemetry through {@code IotHubTelemetryTemplate} and prints {@code SENT <heap used> <heap used after GC>};
 * it exits when its stdin closes.
 * <p>
 * Arguments: connection string, path of the emulator's PEM certificate, MQTT port, number of messages for
 * {@code send}.
 */
public final class MinimalStarterApp {

    private MinimalStarterApp() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[3]);
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DeviceApplication.class)
            .web(WebApplicationType.NONE)
            .properties("iothub.connection-string=" + args[0], "iothub.port=" + args[2],
                    "iothub.ssl.bundle=emulator", "spring.ssl.bundle.pem.emulator.truststore.certificate=file:" + args[1],
                    "spring.main.banner-mode=off", "logging.level.root=WARN")
            .run()) {
            IotHubClientManager connection = context.getBean(IotHubClientManager.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!connection.isConnected() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null) {
                if (command.equals("send")) {
                    send(context.getBean(IotHubTelemetryTemplate.class), messages);
                }
            }
        }
        catch (Exception ex) {
            System.out.println("ERROR " + ex);
        }
    }

    private static void send(IotHubTelemetryTemplate telemetry, int messages) throws Exception {
        byte[] payload = Payloads.telemetryJson();
        CompletableFuture<?>[] sent = new CompletableFuture<?>[messages];
        for (int i = 0; i < messages; i++) {
            sent[i] = telemetry.send(payload);
        }
        CompletableFuture.allOf(sent).get(120, TimeUnit.SECONDS);
        System.out.println("SENT " + ProcessMemory.heapUsed() + " " + ProcessMemory.heapUsedAfterGc());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DeviceApplication {

        @Bean
        Reboot reboot() {
            return new Reboot();
        }

    }

    static class Reboot {

        @DirectMethod("reboot")
        void reboot() {
        }

    }

}
