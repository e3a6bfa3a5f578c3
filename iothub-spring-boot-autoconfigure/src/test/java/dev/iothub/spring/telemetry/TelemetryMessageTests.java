package dev.iothub.spring.telemetry;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TelemetryMessageTests {

    @Test
    void whenBuiltThenPropertiesKeepTheirOrderAndCannotChange() {
        TelemetryMessage message = TelemetryMessage.builder("x").property("b", "1").property("a", "2").build();
        assertThat(message.getProperties()).containsExactly(Map.entry("b", "1"), Map.entry("a", "2"));
        assertThat(message.getProperties()).isUnmodifiable();
    }

    @Test
    void whenAPropertyNameIsReservedByTheHubThenItIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TelemetryMessage.builder("x").property("$.mid", "1"))
            .withMessageContaining("reserved");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> TelemetryMessage.builder("x").property("IoTHub-enqueuedtime", "1"));
    }

    @Test
    void whenThePayloadIsMissingThenItIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> TelemetryMessage.of(null));
    }

}
