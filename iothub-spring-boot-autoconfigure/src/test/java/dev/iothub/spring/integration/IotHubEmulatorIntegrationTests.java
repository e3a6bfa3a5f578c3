package dev.iothub.spring.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.inbound.DirectMethodResponse;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.messaging.IotHubHeaders;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.twin.DeviceTwin;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import dev.iothub.spring.twin.TwinOperationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Boot application talking to the IoT Hub emulator over TLS on loopback.
 */
class IotHubEmulatorIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void whenAppStartsThenItConnectsAndTelemetryArrivesWithItsProperties() {
        emulator.registerDevice("telemetry1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "telemetry1")) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected("telemetry1"));
            IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
            Instant created = Instant.parse("2026-11-23T10:15:30.123Z");
            telemetry.send(dev.iothub.spring.telemetry.TelemetryMessage.builder(Map.of("temperature", 21.5))
                    .property("alert", "a b&c")
                    .messageId("m-1")
                    .correlationId("c-1")
                    .creationTime(created)
                    .component("thermostat1")
                    .build()).join();
            ReceivedTelemetry received = emulator.awaitTelemetry("telemetry1",
                    (message) -> "m-1".equals(message.systemProperties().get("message-id")), Duration.ofSeconds(10));
            assertThat(received.bodyAsString()).isEqualTo("{\"temperature\":21.5}");
            assertThat(received.properties()).containsEntry("alert", "a b&c");
            assertThat(received.systemProperties()).containsEntry("correlation-id", "c-1")
                    .containsEntry("content-type", "application/json")
                    .containsEntry("content-encoding", "utf-8")
                    .containsEntry("dt-subject", "thermostat1")
                    .containsEntry("iothub-connection-device-id", "telemetry1");
            assertThat(received.systemProperties().get("iothub-creation-time-utc")).startsWith("2026-11-23T10:15:30.123");
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenTwinIsReadAndPatchedThenVersionsAndErrorsAreReported(IotHubTransport transport) {
        String twin1 = "twin1-" + transport.propertyValue();
        emulator.registerDevice(twin1);
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, twin1)) {
            IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
            long version = twin.updateReportedProperties(Map.of("firmware", "1.0.0")).join();
            assertThat(emulator.twin(twin1).reported()).containsEntry("firmware", "1.0.0");
            assertThat(emulator.twin(twin1).reportedVersion()).isEqualTo(version);
            assertThat(emulator.connectedVia(twin1)).contains(EmulatorApplications.endpoint(transport));
            DeviceTwin read = twin.getTwin().join();
            assertThat(read.reported()).containsEntry("firmware", "1.0.0");
            assertThat(read.reportedVersion()).isEqualTo(version);
            long next = twin.updateReportedProperties(Map.of("firmware", "1.0.1"), version).join();
            assertThat(next).isGreaterThan(version);
            assertThat(twin.updateReportedProperties(Map.of("firmware", "x"), version))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat()
                    .havingRootCause()
                    .isInstanceOfSatisfying(TwinOperationException.class,
                            (ex) -> assertThat(ex.isPreconditionFailed()).isTrue());
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenDesiredPropertiesChangeOnlineOrOfflineThenTheHandlerGetsThem(IotHubTransport transport) {
        String desired1 = "desired1-" + transport.propertyValue();
        emulator.registerDevice(desired1);
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, desired1,
                "iothub.reconnect.initial-delay=3s", "iothub.reconnect.jitter=0")) {
            List<DesiredPropertiesUpdate> updates = new CopyOnWriteArrayList<>();
            context.getBean(IotHubInboundRouter.class).addDesiredPropertiesHandler(updates::add);
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(desired1));
            long online = emulator.patchDesired(desired1, Map.of("interval", 5));
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> updates.stream().anyMatch((update) -> update.version() == online));
            assertThat(updates.get(updates.size() - 1).payloadAsString()).contains("\"interval\":5");

            emulator.disconnect(desired1);
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> !emulator.isConnected(desired1));
            long offline = emulator.patchDesired(desired1, Map.of("interval", 30));
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> updates.stream().anyMatch((update) -> update.version() == offline));
            DesiredPropertiesUpdate resynced = updates.stream().filter((update) -> update.version() == offline)
                    .findFirst().orElseThrow();
            assertThat(resynced.complete()).isTrue();
            assertThat(resynced.payloadAsString()).contains("\"interval\":30");
            assertThat(updates).extracting(DesiredPropertiesUpdate::version).isSorted().doesNotHaveDuplicates();
            assertThat(emulator.connectedVia(desired1)).contains(EmulatorApplications.endpoint(transport));
            assertThat(context.getBean(EmulatorApplications.ConnectionEvents.class).of(IotHubConnectedEvent.class))
                    .extracting(IotHubConnectedEvent::isReconnect).containsExactly(false, true);
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenCloudToDeviceMessageAndMethodArriveThenHandlersAnswer(IotHubTransport transport) {
        String inbound1 = "inbound1-" + transport.propertyValue();
        emulator.registerDevice(inbound1);
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, inbound1)) {
            IotHubInboundRouter router = context.getBean(IotHubInboundRouter.class);
            List<dev.iothub.spring.inbound.CloudToDeviceMessage> messages = new CopyOnWriteArrayList<>();
            router.addCloudToDeviceHandler(messages::add);
            router.addDirectMethodHandler("reboot",
                    (request) -> DirectMethodResponse.of(200, "{\"echo\":" + request.payloadAsString() + "}"));
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(inbound1));
            assertThat(emulator.connectedVia(inbound1)).contains(EmulatorApplications.endpoint(transport));
            emulator.sendCloudToDevice(inbound1, CloudToDeviceRequest.of("hello").messageId("m1")
                    .correlationId("c1").contentType("text/plain").property("k", "v"));
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> !messages.isEmpty());
            assertThat(messages.get(0).payloadAsString()).isEqualTo("hello");
            assertThat(messages.get(0).messageId()).isEqualTo("m1");
            assertThat(messages.get(0).correlationId()).isEqualTo("c1");
            assertThat(messages.get(0).applicationProperties()).containsEntry("k", "v");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.pendingCloudToDevice(inbound1) == 0);
            MethodResult result = emulator.invokeMethod(inbound1, "reboot", "{\"delay\":1}", Duration.ofSeconds(10));
            assertThat(result.status()).isEqualTo(200);
            assertThat(result.payload()).isEqualTo("{\"echo\":{\"delay\":1}}");
            assertThat(emulator.invokeMethod(inbound1, "unknown", null, Duration.ofSeconds(10)).status())
                    .isEqualTo(501);
        }
    }

    @Test
    void whenCloudToDeviceMessagesWaitForTheDeviceThenTheFirstHandlerGetsThem() {
        emulator.registerDevice("queued1");
        emulator.sendCloudToDevice("queued1", CloudToDeviceRequest.of("while offline").messageId("q1"));
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "queued1",
                new Class<?>[] { HandlerRegisteredAtStartUp.class })) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected("queued1"));
            List<dev.iothub.spring.inbound.CloudToDeviceMessage> messages = context
                .getBean(HandlerRegisteredAtStartUp.class).messages;
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> !messages.isEmpty());
            assertThat(messages).extracting(dev.iothub.spring.inbound.CloudToDeviceMessage::messageId)
                .containsExactly("q1");
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.pendingCloudToDevice("queued1") == 0);
        }
    }

    @ParameterizedTest
    @EnumSource(IotHubTransport.class)
    void whenAFlowEndsInTheTelemetryChannelThenAModuleSendsWithHeadersAsProperties(IotHubTransport transport) {
        String device = "module1-" + transport.propertyValue();
        String module = device + "/filter";
        emulator.registerDevice(device);
        emulator.registerModule(device, "filter");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, transport, module)) {
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> emulator.isConnected(module));
            assertThat(emulator.connectedVia(module)).contains(EmulatorApplications.endpoint(transport));
            MessageChannel channel = context.getBean(IotHubAutoConfiguration.TELEMETRY_CHANNEL_BEAN_NAME,
                    MessageChannel.class);
            assertThat(channel.send(MessageBuilder.withPayload("plain text")
                .setHeader(IotHubHeaders.MESSAGE_ID, "flow-1")
                .setHeader(IotHubHeaders.PROPERTIES, Map.of("source", "flow"))
                .build())).isTrue();
            ReceivedTelemetry received = emulator.awaitTelemetry(module,
                    (message) -> "flow-1".equals(message.systemProperties().get("message-id")), Duration.ofSeconds(10));
            assertThat(received.moduleId()).isEqualTo("filter");
            assertThat(received.bodyAsString()).isEqualTo("plain text");
            assertThat(received.properties()).containsEntry("source", "flow");
            assertThat(received.systemProperties()).containsEntry("content-encoding", "utf-8");
        }
    }

    /**
     * Registers a cloud-to-device handler after the connection opened and before the application is ready.
     */
    static class HandlerRegisteredAtStartUp implements ApplicationRunner {

        final List<dev.iothub.spring.inbound.CloudToDeviceMessage> messages = new CopyOnWriteArrayList<>();

        private final IotHubInboundRouter router;

        HandlerRegisteredAtStartUp(IotHubInboundRouter router) {
            this.router = router;
        }

        @Override
        public void run(ApplicationArguments args) {
            this.router.addCloudToDeviceHandler(this.messages::add);
        }

    }

}
