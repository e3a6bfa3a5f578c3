package dev.iothub.sample.thermostat;

// tag::imports[]
import java.time.Duration;
import java.time.Instant;
import java.util.DoubleSummaryStatistics;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.messaging.IotHubHeaders;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import dev.iothub.spring.twin.IotHubTwinTemplate;
// end::imports[]

/**
 * The thermostat device: telemetry at an interval set through the twin, a target temperature, two direct methods and
 * cloud-to-device display messages.
 */
@Component
public class Thermostat {

    private static final Log logger = LogFactory.getLog(Thermostat.class);

    private final TemperatureSensor sensor;

    private final IotHubTelemetryTemplate telemetry;

    private final IotHubTwinTemplate twin;

    private final TaskScheduler scheduler;

    private @Nullable ScheduledFuture<?> reporting;

    private volatile String display = "";

    Thermostat(TemperatureSensor sensor, IotHubTelemetryTemplate telemetry, IotHubTwinTemplate twin,
            TaskScheduler scheduler) {
        this.sensor = sensor;
        this.telemetry = telemetry;
        this.twin = twin;
        this.scheduler = scheduler;
        reportEvery(Duration.ofSeconds(10));
    }

    // tag::telemetry[]
    void sendTemperature() {
        double celsius = this.sensor.read();
        this.telemetry.send(TelemetryMessage.builder(new TemperatureReading(celsius))
            .property("alert", (celsius > 30) ? "true" : "false")
            .build());
    }
    // end::telemetry[]

    // tag::device-info[]
    @EventListener
    void onConnected(IotHubConnectedEvent event) {
        if (!event.isReconnect()) {
            this.twin.updateReportedProperties(Map.of("deviceInformation",
                    Map.of("manufacturer", "Contoso", "model", "TH-100", "firmwareVersion", "1.2.0")));
        }
    }
    // end::device-info[]

    // tag::desired[]
    @DesiredPropertyListener(value = "targetTemperature", acknowledge = true)
    void onTargetTemperature(@Nullable Double celsius) {
        if (celsius != null) {
            this.sensor.setTarget(celsius);
        }
    }

    @DesiredPropertyListener(value = "telemetryIntervalSeconds", acknowledge = true)
    void onTelemetryInterval(@Nullable Integer seconds) {
        reportEvery(Duration.ofSeconds((seconds != null && seconds > 0) ? seconds : 10));
    }
    // end::desired[]

    // tag::methods[]
    @DirectMethod("reboot")
    RebootResponse reboot(RebootRequest request) {
        int delay = (request.delaySeconds() != null) ? request.delaySeconds() : 0;
        logger.info("Rebooting in " + delay + " s");
        this.sensor.reset();
        return new RebootResponse("rebooting", delay);
    }

    @DirectMethod("getMaxMinReport")
    MaxMinReport getMaxMinReport(MaxMinRequest request) {
        Instant since = (request.since() != null) ? request.since() : Instant.EPOCH;
        DoubleSummaryStatistics statistics = this.sensor.statisticsSince(since);
        return new MaxMinReport(statistics.getMax(), statistics.getMin(), statistics.getAverage(),
                statistics.getCount(), since, Instant.now());
    }
    // end::methods[]

    // tag::c2d[]
    @C2DHandler(condition = "headers['command'] == 'display'")
    void onDisplay(DisplayCommand command, @Header(IotHubHeaders.MESSAGE_ID) String messageId) {
        logger.info("Display '" + command.text() + "' (message " + messageId + ")");
        this.display = command.text();
    }

    @C2DHandler(condition = "headers['command'] == null")
    void onText(String text) {
        logger.info("Message from the cloud: " + text);
        this.display = text;
    }
    // end::c2d[]

    /** What the thermostat's display shows. */
    public String getDisplay() {
        return this.display;
    }

    private synchronized void reportEvery(Duration interval) {
        if (this.reporting != null) {
            this.reporting.cancel(false);
        }
        this.reporting = this.scheduler.scheduleAtFixedRate(this::sendTemperature, interval);
    }

    /** A temperature reading sent as telemetry. */
    public record TemperatureReading(double temperature) {
    }

    /** The reboot request; without a delay the thermostat reboots at once. */
    public record RebootRequest(@Nullable Integer delaySeconds) {
    }

    /** The reboot answer. */
    public record RebootResponse(String status, int delaySeconds) {
    }

    /** The max-min report request. */
    public record MaxMinRequest(@Nullable Instant since) {
    }

    /** The max-min report. */
    public record MaxMinReport(double maxTemp, double minTemp, double avgTemp, long readings, Instant startTime,
            Instant endTime) {
    }

    /** A cloud-to-device display command. */
    public record DisplayCommand(String text) {
    }

}
