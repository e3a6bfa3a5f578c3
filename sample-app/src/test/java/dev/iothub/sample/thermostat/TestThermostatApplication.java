package dev.iothub.sample.thermostat;

// tag::imports[]
import org.springframework.boot.SpringApplication;
// end::imports[]

/**
 * Runs the thermostat during development against the emulator in a container, with the emulator's classes kept
 * out of the application: {@code ./mvnw spring-boot:test-run} in {@code sample-app}, or run this class from the IDE.
 * Needs a container runtime and the image {@code iothub-emulator:0.1.0-SNAPSHOT} (see the README). With the profile
 * {@code embedded-emulator} ({@code -Dspring-boot.run.profiles=embedded-emulator}) it runs against the in-process
 * emulator instead, with no container runtime.
 */
// tag::test-application[]
public class TestThermostatApplication {

    public static void main(String[] args) {
        SpringApplication.from(ThermostatApplication::main).with(ContainersConfiguration.class).run(args);
    }
}
// end::test-application[]
