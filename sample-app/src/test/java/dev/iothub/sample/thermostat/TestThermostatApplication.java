package dev.iothub.sample.thermostat;

import org.springframework.boot.SpringApplication;

/**
 * Runs the thermostat during development against the emulator in a container, with the emulator's classes kept
 * out of the application: {@code ./mvnw spring-boot:test-run} in {@code sample-app}, or run this class from the IDE.
 * Needs a container runtime and the image {@code iothub-emulator:0.1.0-SNAPSHOT} (see the README).
 */
// tag::test-application[]
public class TestThermostatApplication {

    public static void main(String[] args) {
        SpringApplication.from(ThermostatApplication::main).with(ContainersConfiguration.class).run(args);
    }
}
// end::test-application[]
