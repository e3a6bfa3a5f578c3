package dev.iothub.spring.readme;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.iothub.spring.inbound.DirectMethodResponse;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.telemetry.IotHubHeaders;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import dev.iothub.spring.twin.DeviceTwin;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import dev.iothub.spring.twin.TwinOperationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.messaging.MessageChannel;

/**
 * The code examples of README-starter.md, kept here so that they compile.
 */
final class ReadmeExamples {

    private static final Log log = LogFactory.getLog(ReadmeExamples.class);

    private ReadmeExamples() {
    }

    static class Thermostat {

        private final IotHubTelemetryTemplate telemetry;

        Thermostat(IotHubTelemetryTemplate telemetry) {
            this.telemetry = telemetry;
        }

        void report(double celsius) {
            this.telemetry.send(new Reading(celsius));

            TelemetryMessage message = TelemetryMessage.builder(new Reading(celsius))
                    .property("alert", celsius > 30 ? "true" : "false")
                    .messageId(UUID.randomUUID().toString())
                    .correlationId("batch-7")
                    .creationTime(Instant.now())
                    .component("thermostat1")
                    .build();
            this.telemetry.send(message)
                    .thenRun(() -> log.debug("accepted by the hub"))
                    .exceptionally((ex) -> {
                        log.warn("not sent", ex);
                        return null;
                    });
        }

        record Reading(double celsius) {
        }

    }

    static class Flows {

        @Bean
        IntegrationFlow readings(MessageChannel iotHubTelemetryChannel) {
            return IntegrationFlow.from("readings")
                    .enrichHeaders((headers) -> headers.header(IotHubHeaders.PROPERTIES, Map.of("source", "flow")))
                    .channel(iotHubTelemetryChannel)
                    .get();
        }

    }

    static void twin(IotHubTwinTemplate twinTemplate) {
        DeviceTwin twin = twinTemplate.getTwin().join();
        long version = twinTemplate.updateReportedProperties(Map.of("firmware", "1.2.0")).join();
        twinTemplate.updateReportedProperties(new Firmware("1.2.1"), version)
                .exceptionally((ex) -> {
                    if (ex.getCause() instanceof TwinOperationException twinError && twinError.isPreconditionFailed()) {
                        log.info("re-read and retry; desired was " + twin.desired());
                    }
                    return null;
                });
    }

    record Firmware(String version) {
    }

    static class Handlers {

        Handlers(IotHubInboundRouter router) {
            router.addCloudToDeviceHandler((message) -> log.info("C2D " + message.messageId() + " "
                    + message.applicationProperties() + " " + message.payloadAsString()));
            router.addDirectMethodHandler("reboot", (request) -> DirectMethodResponse.of(200, "{\"accepted\":true}"));
            router.addDesiredPropertiesHandler((update) -> log.info("desired $version " + update.version()
                    + " (complete document: " + update.complete() + "): " + update.payloadAsString()));
        }

    }

}
