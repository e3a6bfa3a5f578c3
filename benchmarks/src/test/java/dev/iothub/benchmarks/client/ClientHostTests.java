package dev.iothub.benchmarks.client;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientHostTests {

    @Test
    void rateIsFlatWhenTheLastWindowsLieWithinTheToleranceOfTheirMean() {
        assertThat(ClientHost.isFlat(List.of(10.0, 50.0, 100.0, 103.0, 98.0), 3, 0.05)).isTrue();
    }

    @Test
    void rateIsNotFlatWhileStillRising() {
        assertThat(ClientHost.isFlat(List.of(80.0, 90.0, 100.0), 3, 0.05)).isFalse();
    }

    @Test
    void rateIsNotFlatWithFewerWindowsThanRequired() {
        assertThat(ClientHost.isFlat(List.of(100.0, 100.0), 3, 0.05)).isFalse();
    }
}
