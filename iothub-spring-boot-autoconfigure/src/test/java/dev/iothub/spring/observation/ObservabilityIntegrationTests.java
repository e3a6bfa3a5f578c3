package dev.iothub.spring.observation;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.SenderContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.emulator.ReceivedTelemetry;
import dev.iothub.spring.actuate.IotHubEndpoint;
import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessage;
import dev.iothub.spring.twin.IotHubTwinTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters, observations and actuator endpoint of a real application after real traffic against the emulator.
 */
class ObservabilityIntegrationTests {

    private static final String DEVICE = "observed";

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static IotHubEmulator emulator;

    private static ConfigurableApplicationContext context;

    private static MeterRegistry meters;

    private static TestObservationRegistry observations;

    @BeforeAll
    static void start() {
        emulator = IotHubEmulator.builder().start();
        emulator.registerDevice(DEVICE);
        context = new SpringApplicationBuilder(ObservedApplication.class).web(WebApplicationType.NONE)
            .properties("iothub.connection-string=" + emulator.connectionString(DEVICE),
                    "iothub.port=" + emulator.mqttPort(), "iothub.ssl.bundle=emulator",
                    "spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem(),
                    "iothub.connect-timeout=5s", "iothub.shutdown-timeout=2s", "spring.main.banner-mode=off",
                    "iothub.observation.propagate-trace-context=true",
                    "management.endpoints.web.exposure.include=iothub")
            .run();
        await().atMost(TIMEOUT).until(() -> emulator.isConnected(DEVICE));
        meters = context.getBean(MeterRegistry.class);
        observations = context.getBean(TestObservationRegistry.class);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        emulator.close();
    }

    @Test
    void acknowledgedTelemetryIsCountedTimedAndObserved() throws Exception {
        IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
        double acknowledged = Search.in(meters).name("iothub.telemetry.sent").tag("outcome", "acknowledged")
            .counters().stream().mapToDouble((counter) -> counter.count()).sum();
        long timed = Search.in(meters).name("iothub.telemetry.latency").timers().stream()
            .mapToLong((timer) -> timer.count()).sum();
        for (int i = 0; i < 5; i++) {
            telemetry.send(TelemetryMessage.builder("{\"n\":" + i + "}").property("batch", "acked").build())
                .get(10, TimeUnit.SECONDS);
        }
        assertThat(meters.get("iothub.telemetry.sent").tags("outcome", "acknowledged", "device", DEVICE,
                "module", "none").counter().count()).isEqualTo(acknowledged + 5);
        assertThat(meters.get("iothub.telemetry.latency").tags("device", DEVICE).timer().count())
            .isEqualTo(timed + 5);
        assertThat(meters.get("iothub.telemetry.pending").gauge().value()).isZero();
        TestObservationRegistryAssert.assertThat(observations)
            .hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts.stream()
                .filter(IotHubTelemetrySenderContext.class::isInstance)
                .filter((ctx) -> "iothub.telemetry.send".equals(ctx.getName()))
                .filter((ctx) -> ctx.getLowCardinalityKeyValue("iothub.outcome").getValue().equals("acknowledged"))
                .count()).isGreaterThanOrEqualTo(5));
    }

    @Test
    void traceContextIsWrittenIntoTheApplicationPropertiesWhenEnabled() {
        context.getBean(IotHubTelemetryTemplate.class)
            .send(TelemetryMessage.builder("traced").property("batch", "traced").build());
        ReceivedTelemetry received = await().atMost(TIMEOUT)
            .until(() -> emulator.telemetry(DEVICE)
                .stream()
                .filter((message) -> "traced".equals(message.properties().get("batch")))
                .findFirst()
                .orElse(null), (message) -> message != null);
        assertThat(received.properties()).containsEntry("traceparent", TRACEPARENT);
    }

    @Test
    void refusedTelemetryIsCountedAsRejected() {
        IotHubTelemetryTemplate telemetry = context.getBean(IotHubTelemetryTemplate.class);
        assertThat(telemetry.send(new byte[300 * 1024])).isCompletedExceptionally();
        assertThat(meters.get("iothub.telemetry.sent").tags("outcome", "rejected").counter().count()).isEqualTo(1);
    }

    @Test
    void directMethodInvocationsAreTimedWithTheirStatus() {
        awaitConnected();
        MethodResult first = emulator.invokeMethod(DEVICE, "reboot", "{}", TIMEOUT);
        MethodResult second = emulator.invokeMethod(DEVICE, "reboot", "{}", TIMEOUT);
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        await().atMost(TIMEOUT)
            .untilAsserted(() -> assertThat(meters.get("iothub.methods")
                .tags("method", "reboot", "status", "200", "device", DEVICE)
                .timer()
                .count()).isEqualTo(2));
        TestObservationRegistryAssert.assertThat(observations)
            .hasAnObservationWithAKeyValue("iothub.handler.name", "reboot");
    }

    @Test
    void cloudToDeviceMessagesAreCounted() {
        awaitConnected();
        emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("one"));
        emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("two"));
        await().atMost(TIMEOUT)
            .untilAsserted(() -> assertThat(Search.in(meters)
                .name("iothub.c2d.received")
                .tags("outcome", "handled", "device", DEVICE)
                .counter()).isNotNull()
                .satisfies((counter) -> assertThat(counter.count()).isEqualTo(2)));
    }

    @Test
    void cloudToDeviceMessagesAHandlerFailsOnOrCannotTakeAreCountedAsFailedAndRejected() {
        awaitConnected();
        emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("one").property("kind", "broken"));
        emulator.sendCloudToDevice(DEVICE, CloudToDeviceRequest.of("not json").property("kind", "reading"));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(c2dReceived("failed")).isEqualTo(1);
            assertThat(c2dReceived("rejected")).isEqualTo(1);
        });
        TestObservationRegistryAssert.assertThat(observations)
            .hasHandledContextsThatSatisfy((contexts) -> assertThat(contexts)
                .filteredOn((ctx) -> ctx instanceof IotHubHandlerContext handler
                        && handler.getKind() == IotHubHandlerContext.Kind.CLOUD_TO_DEVICE && ctx.getError() != null)
                .extracting((ctx) -> ctx.getError().getCause().getMessage())
                .contains("cannot handle 3 bytes"));
    }

    private static double c2dReceived(String outcome) {
        var counter = Search.in(meters).name("iothub.c2d.received").tags("outcome", outcome, "device", DEVICE)
            .counter();
        return (counter != null) ? counter.count() : 0;
    }

    @Test
    void twinRequestsAreTimedWithOperationAndStatus() throws Exception {
        awaitConnected();
        IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
        double gets = count("iothub.twin.requests", "operation", "get", "status", "200");
        twin.getTwin().get(10, TimeUnit.SECONDS);
        twin.updateReportedProperties(Map.of("firmware", "1.0.1")).get(10, TimeUnit.SECONDS);
        assertThat(count("iothub.twin.requests", "operation", "get", "status", "200")).isEqualTo(gets + 1);
        assertThat(count("iothub.twin.requests", "operation", "patch", "status", "204")).isEqualTo(1);
    }

    @Test
    void aReconnectIsCountedWithTheReasonOfTheDrop() {
        awaitConnected();
        assertThat(meters.get("iothub.connection.connected").gauge().value()).isEqualTo(1);
        emulator.disconnect(DEVICE);
        await().atMost(TIMEOUT)
            .untilAsserted(() -> assertThat(Search.in(meters)
                .name("iothub.connection.reconnects")
                .tags("reason", "connection-lost", "device", DEVICE)
                .counter()).isNotNull()
                .satisfies((counter) -> assertThat(counter.count()).isEqualTo(1)));
        awaitConnected();
        assertThat(meters.get("iothub.connection.connected").gauge().value()).isEqualTo(1);
    }

    @Test
    void theEndpointShowsStateAndHandlersAndNoSecret() {
        awaitConnected();
        IotHubEndpoint.IotHubDescriptor descriptor = context.getBean(IotHubEndpoint.class).iothub();
        assertThat(descriptor.connection().state()).isEqualTo(IotHubConnectionState.CONNECTED);
        assertThat(descriptor.connection().connectedSince()).isNotNull();
        assertThat(descriptor.connection().sasTokenExpiry()).isNotNull();
        assertThat(descriptor.handlers().directMethods()).containsEntry("reboot", "observedHandlers.reboot");
        assertThat(descriptor.handlers().desiredPropertyListeners()).singleElement()
            .satisfies((listener) -> assertThat(listener.property()).isEqualTo("mode"));
        assertThat(descriptor.handlers().cloudToDeviceHandlers()).extracting((handler) -> handler.condition())
            .contains("payload.length > 0 && headers['kind'] == null");
        String json = JsonMapper.builder().build().writeValueAsString(descriptor);
        String key = emulator.connectionString(DEVICE).replaceAll(".*SharedAccessKey=", "");
        assertThat(json).contains("\"deviceId\":\"" + DEVICE + "\"", "\"transport\":\"mqtt\"", "\"state\":\"CONNECTED\"")
            .doesNotContain(key)
            .doesNotContainIgnoringCase("SharedAccessKey")
            .doesNotContain("sig=");
    }

    private static double count(String name, String... tags) {
        var timer = Search.in(meters).name(name).tags(tags).timer();
        return (timer != null) ? timer.count() : 0;
    }

    private static void awaitConnected() {
        await().atMost(TIMEOUT)
            .until(() -> context.getBean(IotHubClientManager.class).getStatus().state()
                    == IotHubConnectionState.CONNECTED && emulator.isConnected(DEVICE));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ObservedApplication {

        @Bean
        TestObservationRegistry observationRegistry() {
            return TestObservationRegistry.create();
        }

        /** What Micrometer Tracing's propagating sender handler does: write the trace context into the carrier. */
        @Bean
        ObservationHandler<SenderContext<Object>> fakeTracePropagation() {
            return new ObservationHandler<>() {

                @Override
                public void onStart(SenderContext<Object> context) {
                    context.getSetter().set(context.getCarrier(), "traceparent", TRACEPARENT);
                }

                @Override
                public boolean supportsContext(Observation.Context context) {
                    return context instanceof SenderContext;
                }

            };
        }

        @Bean
        ObservedHandlers observedHandlers() {
            return new ObservedHandlers();
        }

    }

    static class ObservedHandlers {

        @DirectMethod("reboot")
        String reboot() {
            return "{\"rebooting\":true}";
        }

        @DesiredPropertyListener("mode")
        void mode(String mode) {
        }

        @C2DHandler(condition = "payload.length > 0 && headers['kind'] == null")
        void receive(byte[] payload) {
        }

        @C2DHandler(condition = "headers['kind'] == 'broken'")
        void broken(byte[] payload) {
            throw new IllegalStateException("cannot handle " + payload.length + " bytes");
        }

        @C2DHandler(condition = "headers['kind'] == 'reading'")
        void reading(Reading reading) {
        }

    }

    record Reading(double temperature) {

    }

}
