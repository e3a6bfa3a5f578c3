package dev.iothub.benchmarks.starter;

import dev.iothub.benchmarks.Deadline;
import dev.iothub.benchmarks.methods.MethodDevice;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.annotation.DirectMethod;
import tools.jackson.databind.JsonNode;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The starter's {@code @DirectMethod}: a bean method echoing the JSON request, in a Spring Boot application.
 */
public final class StarterMethodDevice implements MethodDevice {

    @Override
    public String subject() {
        return "starter @DirectMethod";
    }

    @Override
    public AutoCloseable open(IotHubEmulator hub, String deviceId, Deadline deadline) throws Exception {
        return StarterApplications.start(hub, deviceId, deadline, EchoConfiguration.class);
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
