package dev.iothub.sample.thermostat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A thermostat that reports its temperature to Azure IoT Hub and is steered through its device twin, direct methods
 * and cloud-to-device messages.
 */
@SpringBootApplication
@EnableScheduling
public class ThermostatApplication {

    public static void main(String[] args) {
        SpringApplication.run(ThermostatApplication.class, args);
    }

}
