package dev.iothub.sample.thermostat;

// tag::imports[]
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.test.AutoConfigureIotHubEmulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
// end::imports[]

// tag::test[]
@SpringBootTest
@AutoConfigureIotHubEmulator
class ThermostatApplicationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Autowired
    IotHubEmulator hub;

    @Autowired
    Thermostat thermostat;

    @BeforeEach
    void connected() {
        await().atMost(TIMEOUT).until(() -> this.hub.isConnected("thermostat"));
    }

    @Test
    void rebootAnswersWithItsDelay() {
        MethodResult result = this.hub.invokeMethod("thermostat", "reboot", "{\"delaySeconds\":3}", TIMEOUT);
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.payload()).isEqualTo("{\"status\":\"rebooting\",\"delaySeconds\":3}");
    }
    // end::test[]

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void deviceInformationIsReportedAtStart() {
        await().atMost(TIMEOUT).until(() -> this.hub.twin("thermostat").reported().containsKey("deviceInformation"));
        assertThat(this.hub.twin("thermostat").reported().get("deviceInformation"))
            .isEqualTo(Map.of("manufacturer", "Contoso", "model", "TH-100", "firmwareVersion", "1.2.0"));
    }

    @Test
    void targetTemperatureIsAppliedAndAcknowledged() {
        long version = this.hub.patchDesired("thermostat", Map.of("targetTemperature", 25.5));
        await().atMost(TIMEOUT).until(() -> this.hub.twin("thermostat").reported().get("targetTemperature") != null);
        assertThat(this.hub.twin("thermostat").reported().get("targetTemperature"))
            .isEqualTo(Map.of("value", 25.5, "ac", 200, "av", (int) version, "ad", "completed"));
    }

    @Test
    void telemetryFollowsTheDesiredInterval() {
        this.hub.patchDesired("thermostat", Map.of("telemetryIntervalSeconds", 1));
        ReceivedTelemetry first = this.hub.awaitNextTelemetry("thermostat", TIMEOUT);
        ReceivedTelemetry second = this.hub.awaitNextTelemetry("thermostat", TIMEOUT);
        assertThat(Duration.between(first.enqueuedTime(), second.enqueuedTime())).isLessThan(Duration.ofSeconds(5));
        JsonNode reading = this.json.readTree(second.bodyAsString());
        assertThat(reading.get("temperature").isNumber()).isTrue();
        assertThat(second.properties()).containsKey("alert");
        assertThat(second.systemProperties()).containsEntry("content-type", "application/json")
            .containsEntry("dt-dataschema", "dtmi:com:example:Thermostat;1");
    }

    @Test
    void maxMinReportSummarisesReadings() {
        this.hub.patchDesired("thermostat", Map.of("telemetryIntervalSeconds", 1));
        this.hub.awaitNextTelemetry("thermostat", TIMEOUT);
        MethodResult result = this.hub.invokeMethod("thermostat", "getMaxMinReport",
                "{\"since\":\"2020-01-01T00:00:00Z\"}", TIMEOUT);
        assertThat(result.status()).isEqualTo(200);
        JsonNode report = this.json.readTree(result.payload());
        assertThat(report.get("readings").asLong()).isPositive();
        assertThat(report.get("maxTemp").asDouble()).isGreaterThanOrEqualTo(report.get("minTemp").asDouble());
    }

    @Test
    void cloudToDeviceMessagesReachTheDisplay() {
        this.hub.sendCloudToDevice("thermostat", CloudToDeviceRequest.of("{\"text\":\"Eco mode\"}")
            .contentType("application/json").property("command", "display"));
        await().atMost(TIMEOUT).until(() -> "Eco mode".equals(this.thermostat.getDisplay()));
        this.hub.sendCloudToDevice("thermostat", CloudToDeviceRequest.of("Hello thermostat"));
        await().atMost(TIMEOUT).until(() -> "Hello thermostat".equals(this.thermostat.getDisplay()));
    }

}
