package dev.iothub.spring.telemetry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import tools.jackson.databind.json.JsonMapper;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.PropertyBag;
import dev.iothub.spring.connection.IotHubClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * Tests for the topics {@link IotHubTelemetryTemplate} publishes.
 */
class IotHubTelemetryTemplateTests {

    private static final String PREFIX = "devices/dev1/messages/events/";

    private final IotHubClientManager manager = mock(IotHubClientManager.class);

    private final IotHubTelemetryTemplate template = new IotHubTelemetryTemplate(this.manager,
            JsonMapper.builder().build());

    @Test
    void whenMessagesHaveNoIdThenEachGetsADistinctRandomUrlSafeId() {
        given(this.manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", "dev1", null, "a2V5"));
        given(this.manager.publish(anyString(), any(), anyInt())).willReturn(CompletableFuture.completedFuture(null));
        for (int i = 0; i < 200; i++) {
            this.template.send(new byte[] { 1 });
        }
        this.template.send(TelemetryMessage.builder(new byte[] { 2 }).messageId("mine 1").build());
        ArgumentCaptor<String> topics = ArgumentCaptor.forClass(String.class);
        verify(this.manager, times(201)).publish(topics.capture(), any(), anyInt());
        List<String> sent = topics.getAllValues();
        Set<String> ids = new HashSet<>();
        for (String topic : sent.subList(0, 200)) {
            assertThat(topic).startsWith(PREFIX);
            String id = PropertyBag.decode(topic.substring(PREFIX.length())).get("$.mid");
            assertThat(id).matches("[A-Za-z0-9_-]{21}");
            assertThat(topic).isEqualTo(PREFIX + "%24.mid=" + id);
            ids.add(id);
        }
        assertThat(ids).hasSize(200);
        assertThat(sent.get(200)).isEqualTo(PREFIX + "%24.mid=mine%201");
    }

    @Test
    void whenAMessageHasPropertiesThenTheTopicCarriesTheIdFirstThenTheSystemThenTheApplicationProperties() {
        given(this.manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", "dev1", null, "a2V5"));
        given(this.manager.publish(anyString(), any(), anyInt())).willReturn(CompletableFuture.completedFuture(null));
        this.template.send(TelemetryMessage.builder(Map.of("t", 1))
            .messageId("m1")
            .correlationId("c 1")
            .creationTime(Instant.parse("2026-12-02T10:00:00Z"))
            .component("thermostat")
            .property("alert", "a&b")
            .build());
        ArgumentCaptor<String> topic = ArgumentCaptor.forClass(String.class);
        verify(this.manager).publish(topic.capture(), any(), anyInt());
        assertThat(topic.getValue()).isEqualTo(PREFIX + "%24.mid=m1&%24.cid=c%201&%24.ct=application%2Fjson"
                + "&%24.ce=utf-8&%24.ctime=2026-12-02T10%3A00%3A00Z&%24.sub=thermostat&alert=a%26b");
    }

    @Test
    void generatedMessageIdsCarryRandomBitsInEveryCharacter() {
        List<Set<Character>> seen = new ArrayList<>();
        for (int position = 0; position < IotHubTelemetryTemplate.MESSAGE_ID_LENGTH; position++) {
            seen.add(new HashSet<>());
        }
        for (int i = 0; i < 5_000; i++) {
            String id = IotHubTelemetryTemplate.randomMessageId();
            for (int position = 0; position < id.length(); position++) {
                seen.get(position).add(id.charAt(position));
            }
        }
        // 64 characters at each position: none stuck, and the last one takes its 6 bits from both random longs
        assertThat(seen).allSatisfy((characters) -> assertThat(characters).hasSize(64));
    }

}
