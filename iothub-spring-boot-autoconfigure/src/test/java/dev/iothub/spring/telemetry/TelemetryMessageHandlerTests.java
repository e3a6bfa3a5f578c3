package dev.iothub.spring.telemetry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.iothub.spring.messaging.IotHubHeaders;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.integration.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;

/**
 * Which headers of a flow's message become the properties of the telemetry sent.
 */
class TelemetryMessageHandlerTests {

    private final IotHubTelemetryTemplate template = mock(IotHubTelemetryTemplate.class);

    private final TelemetryMessageHandler handler = new TelemetryMessageHandler(this.template, Duration.ofSeconds(5));

    private TelemetryMessage sent(MessageBuilder<String> message) {
        given(this.template.send(any(TelemetryMessage.class))).willReturn(CompletableFuture.completedFuture(null));
        this.handler.handleMessage(message.build());
        ArgumentCaptor<TelemetryMessage> captor = ArgumentCaptor.forClass(TelemetryMessage.class);
        then(this.template).should().send(captor.capture());
        return captor.getValue();
    }

    @Test
    void whenApplicationPropertiesAreSetThenTheyAreSentAsApplicationProperties() {
        TelemetryMessage message = sent(MessageBuilder.withPayload("t")
            .setHeader(IotHubHeaders.APPLICATION_PROPERTIES, Map.of("source", "flow"))
            .setHeader(IotHubHeaders.MESSAGE_ID, "m1"));
        assertThat(message.getProperties()).containsExactly(Map.entry("source", "flow"));
        assertThat(message.getMessageId()).isEqualTo("m1");
    }

    @Test
    @SuppressWarnings("removal")
    void whenOnlyTheDeprecatedPropertiesHeaderIsSetThenItIsStillSent() {
        TelemetryMessage message = sent(MessageBuilder.withPayload("t")
            .setHeader(IotHubHeaders.PROPERTIES, Map.of("source", "old")));
        assertThat(message.getProperties()).containsExactly(Map.entry("source", "old"));
    }

    @Test
    @SuppressWarnings("removal")
    void whenAReceivedCloudToDeviceMessageIsForwardedThenItsApplicationPropertiesAreSentNotItsWholeBag() {
        TelemetryMessage message = sent(MessageBuilder.withPayload("t")
            .setHeader(IotHubHeaders.PROPERTIES, Map.of("$.mid", "c2d-1", "priority", "high"))
            .setHeader(IotHubHeaders.PROPERTY_BAG, Map.of("$.mid", "c2d-1", "priority", "high"))
            .setHeader(IotHubHeaders.APPLICATION_PROPERTIES, Map.of("priority", "high")));
        assertThat(message.getProperties()).containsExactly(Map.entry("priority", "high"));
    }

}
