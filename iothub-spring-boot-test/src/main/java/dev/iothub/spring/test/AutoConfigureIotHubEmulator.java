package dev.iothub.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * Runs a {@code @SpringBootTest} against an in-process IoT Hub emulator, even when the application configures a real
 * hub: the emulator starts on free ports, the application's device is registered in it and connects to it, and the
 * test can inject the {@link dev.iothub.emulator.IotHubEmulator} to invoke direct methods, patch desired properties,
 * send cloud-to-device messages and wait for telemetry.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureIotHubEmulator
 * class ThermostatTests {
 *
 *     @Autowired
 *     IotHubEmulator hub;
 *
 *     @Test
 *     void rebootAnswers() {
 *         MethodResult result = hub.invokeMethod("thermostat", "reboot", "{\"delay\":1}", Duration.ofSeconds(10));
 *         assertThat(result.status()).isEqualTo(200);
 *     }
 * }
 * }</pre>
 *
 * The device id is {@code spring.application.name} unless {@code iothub.emulator.device-id} is set. The emulator's
 * REST API (and its console at {@code /}) is off in tests; to have it on a free port, add
 * {@code @TestPropertySource(properties = "iothub.emulator.service-port=0")} to the test class
 * ({@code @SpringBootTest(properties = ...)} cannot override this annotation's properties). With
 * {@code iothub.transport=mqtt-ws} the application connects to the emulator's MQTT-over-WebSocket endpoint, also on a
 * free port.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = { "iothub.emulator.enabled=true", "iothub.emulator.mqtt-port=0",
        "iothub.emulator.web-socket-port=0", "iothub.emulator.service-port=-1" })
public @interface AutoConfigureIotHubEmulator {

}
