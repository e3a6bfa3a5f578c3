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
 * The bare web Spring Boot app of the start-up benchmark, the counterpart of {@code StarterWebStartupApplication}
 * with the same shape and only Spring MVC and actuator on its class path: Tomcat on an ephemeral port, one plain bean.
 * It prints {@code READY <jvm uptime ms>} once the context is ready and exits when its stdin closes.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class BareWebStartupApplication {

    public static void main(String[] args) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(BareWebStartupApplication.class)
            .web(WebApplicationType.SERVLET)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN", "server.port=0")
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
