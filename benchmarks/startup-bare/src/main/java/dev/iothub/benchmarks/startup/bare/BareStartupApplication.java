package dev.iothub.benchmarks.startup.bare;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The bare Spring Boot app of the start-up benchmark, the counterpart of {@code StarterStartupApplication} with the
 * same shape and only {@code spring-boot-starter} on its class path: no web server, one plain bean. It prints
 * {@code READY <jvm uptime ms>} once the context is ready and exits when its stdin closes.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class BareStartupApplication {

    public static void main(String[] args) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(BareStartupApplication.class)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN")
            .run()) {
            System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (commands.readLine() != null) {
                // runs until stdin closes
            }
        }
    }

    @Bean
    Reboot reboot() {
        return new Reboot();
    }

    static class Reboot {

        void reboot() {
        }

    }

}
