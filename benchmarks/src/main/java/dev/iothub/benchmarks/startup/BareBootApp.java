package dev.iothub.benchmarks.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The bare Spring Boot counterpart of {@link MinimalStarterApp}, run in a child JVM: the same application type (no
 * web server), banner and logging, one plain bean, and every auto-configuration of the starter excluded (this jar has
 * the starter on its class path, so excluding it is the nearest to leaving it out). It prints
 * {@code READY <jvm uptime ms>} once the context is ready and exits when its stdin closes.
 */
public final class BareBootApp {

    private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

    private BareBootApp() {
    }

    public static void main(String[] args) throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(BareApplication.class)
            .web(WebApplicationType.NONE)
            .properties("spring.autoconfigure.exclude=" + String.join(",", starterAutoConfigurations()),
                    "spring.main.banner-mode=off", "logging.level.root=WARN")
            .run()) {
            System.out.println("READY " + ManagementFactory.getRuntimeMXBean().getUptime());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (commands.readLine() != null) {
                // runs until stdin closes
            }
        }
        catch (Exception ex) {
            System.out.println("ERROR " + ex);
        }
    }

    private static Set<String> starterAutoConfigurations() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        Enumeration<URL> files = BareBootApp.class.getClassLoader().getResources(IMPORTS);
        while (files.hasMoreElements()) {
            try (InputStream in = files.nextElement().openStream()) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter((line) -> line.startsWith("dev.iothub.")).forEach(names::add);
            }
        }
        return names;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class BareApplication {

        @Bean
        Reboot reboot() {
            return new Reboot();
        }

    }

    static class Reboot {

        void reboot() {
        }

    }
}
