package dev.iothub.spring.connection;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReconnectBackoffTests {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2,
            0.2);

    @Test
    void whenAttemptsFailThenTheDelayDoublesUpToTheCap() {
        assertThat(this.backoff.delay(1, () -> 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(this.backoff.delay(2, () -> 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(this.backoff.delay(5, () -> 0.5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(this.backoff.delay(30, () -> 0.5)).isEqualTo(Duration.ofSeconds(60));
        assertThat(this.backoff.delay(Integer.MAX_VALUE, () -> 0.5)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void whenJitterIsAppliedThenTheDelayStaysWithinItsSpreadAndTheCap() {
        assertThat(this.backoff.delay(3, () -> 0.0)).isEqualTo(Duration.ofMillis(3200));
        assertThat(this.backoff.delay(3, () -> 0.999)).isBetween(Duration.ofMillis(4790), Duration.ofMillis(4800));
        assertThat(this.backoff.delay(30, () -> 0.999)).isEqualTo(Duration.ofSeconds(60));
        assertThat(this.backoff.delay(30, () -> 0.0)).isEqualTo(Duration.ofSeconds(48));
    }

}
