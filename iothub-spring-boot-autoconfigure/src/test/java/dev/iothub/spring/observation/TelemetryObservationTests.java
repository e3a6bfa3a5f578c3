package dev.iothub.spring.observation;

import java.util.concurrent.CompletableFuture;

import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubBackPressureException;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for the telemetry observation of {@link IotHubTelemetryTemplate}.
 */
class TelemetryObservationTests {

    private final IotHubClientManager manager = mock(IotHubClientManager.class);

    private final TestObservationRegistry registry = TestObservationRegistry.create();

    private IotHubTelemetryTemplate template;

    @BeforeEach
    void setUp() {
        given(this.manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", "dev1", "mod1", "a2V5"));
        this.template = new IotHubTelemetryTemplate(this.manager, JsonMapper.builder().build());
        this.template.setObservationRegistry(this.registry);
    }

    @Test
    void whenTheHubAcknowledgesThenTheObservationStopsAcknowledged() {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        given(this.manager.publish(anyString(), any(), anyInt())).willReturn(ack);
        CompletableFuture<Void> sent = this.template.send("hello");
        TestObservationRegistryAssert.assertThat(this.registry).hasSingleObservationThat().hasBeenStarted()
            .isNotStopped();
        ack.complete(null);
        assertThat(sent).isCompleted();
        TestObservationRegistryAssert.assertThat(this.registry)
            .hasSingleObservationThat()
            .hasNameEqualTo("iothub.telemetry.send")
            .hasBeenStopped()
            .hasLowCardinalityKeyValue("iothub.outcome", "acknowledged")
            .hasLowCardinalityKeyValue("iothub.device", "dev1")
            .hasLowCardinalityKeyValue("iothub.module", "mod1");
    }

    @Test
    void whenRefusedAtOnceThenRejectedAndWhenFailedLaterThenFailed() {
        given(this.manager.publish(anyString(), any(), anyInt()))
            .willReturn(CompletableFuture.failedFuture(new IotHubBackPressureException("full")));
        this.template.send("refused");
        TestObservationRegistryAssert.assertThat(this.registry)
            .hasSingleObservationThat()
            .hasLowCardinalityKeyValue("iothub.outcome", "rejected")
            .hasError();
        CompletableFuture<Void> later = new CompletableFuture<>();
        given(this.manager.publish(anyString(), any(), anyInt())).willReturn(later);
        this.template.send("lost");
        later.completeExceptionally(new IotHubException("stopped"));
        TestObservationRegistryAssert.assertThat(this.registry)
            .hasAnObservationWithAKeyValue("iothub.outcome", "failed");
    }

    @Test
    void whenTheReadmeConventionIsSetThenItNamesTheObservation() {
        given(this.manager.publish(anyString(), any(), anyInt())).willReturn(CompletableFuture.completedFuture(null));
        this.template.setObservationConvention(new TelemetryObservationConfiguration().telemetryConvention());
        this.template.send("hello");
        TestObservationRegistryAssert.assertThat(this.registry)
            .hasSingleObservationThat()
            .hasNameEqualTo("factory.telemetry")
            .hasBeenStopped();
    }

}
