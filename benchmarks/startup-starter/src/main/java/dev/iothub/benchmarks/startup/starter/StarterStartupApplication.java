package dev.iothub.benchmarks.startup.starter;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.connection.IotHubClientManager;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The start-up benchmark's app with the starter: {@code BareStartupApplication} plus the starter, with its one bean
 * answering a direct method. It prints {@code READY <jvm uptime ms>} once connected and subscribed and exits when its
 * stdin closes.
 * <p>
 * Arguments: connection string, path of the emulator's PEM certificate, MQTT port.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class StarterStartupApplication {

    public static void main(String[] args) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(StarterStartupApplication.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN",
                    "iothub.connection-string=" + args[0], "iothub.port=" + args[2], "iothub.ssl.bundle=emulator",
                    "spring.ssl.bundle.pem.emulator.truststore.certificate=file:" + args[1])
            .run()) {
            awaitConnected(context.getBean(IotHubClientManager.class));
            System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (commands.readLine() != null) {
                // runs until stdin closes
            }
        }
    }

    // The first connection attempt is awaited by the context's start; this covers an attempt that ran out of time.
    private static void awaitConnected(IotHubClientManager connection) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!connection.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not connected within 60 s");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    @Bean
    Reboot reboot() {
        return new Reboot();
    }

    static class Reboot {

        @DirectMethod("reboot")
        void reboot() {
        }

    }

}
