package dev.iothub.benchmarks.starter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.connection.IotHubClientManager;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a Spring Boot application with the starter, connected as a registered device to the in-process emulator
 * (trusting it through a PEM SSL bundle), and waits until it is connected and subscribed.
 */
final class StarterApplications {

    private StarterApplications() {
    }

    static ConfigurableApplicationContext start(IotHubEmulator hub, String deviceId, Deadline deadline,
            Class<?>... sources) throws Deadline.BenchmarkTimeoutException, InterruptedException {
        List<String> properties = new ArrayList<>(List.of(
                "iothub.connection-string=" + hub.connectionString(deviceId),
                "iothub.port=" + hub.mqttPort(),
                "iothub.ssl.bundle=emulator",
                "spring.ssl.bundle.pem.emulator.truststore.certificate=" + hub.caCertificatePem(),
                "iothub.publish.max-in-flight=1000",
                "iothub.publish.max-pending=10000",
                "spring.main.banner-mode=off",
                "logging.level.root=WARN"));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(DeviceApplication.class)
            .sources(sources)
            .web(WebApplicationType.NONE)
            .properties(properties.toArray(String[]::new))
            .run();
        IotHubClientManager connection = context.getBean(IotHubClientManager.class);
        while (!connection.isConnected()) {
            deadline.check();
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return context;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DeviceApplication {

    }

}
