package dev.iothub.benchmarks.harness;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ScaleStepsTests {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void sizesAreParsedAscendingAndMaxRampsFromTheLargest() {
        ScaleSteps steps = ScaleSteps.parse("--scale-devices", "10000, 1000,max", 10_000);
        assertThat(steps.fixed()).containsExactly(1_000, 10_000);
        assertThat(steps.max()).isTrue();
        assertThat(steps.firstRampSize()).isEqualTo(20_000);
        assertThat(ScaleSteps.parse("o", "max", 5_000).firstRampSize()).isEqualTo(5_000);
        assertThat(ScaleSteps.parse("o", "1_000", 10).max()).isFalse();
    }

    @Test
    void theRampEndsOnTheMostConnectionsTheOpenFileLimitAllows() {
        ScaleSteps steps = ScaleSteps.parse("o", "1000,10000,max", 10_000);
        assertThat(steps.nextRampSize(10_000, 262_144)).isEqualTo(20_000);
        assertThat(steps.nextRampSize(10_000, 20_000)).isEqualTo(19_500);
        assertThat(steps.nextRampSize(19_500, 20_000)).isEqualTo(-1);
        assertThat(steps.nextRampSize(10_000, -1)).isEqualTo(20_000);
    }

    @Test
    void badSizesAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> ScaleSteps.parse("--scale-devices", "1000,most", 1))
            .withMessageContaining("--scale-devices").withMessageContaining("most");
        assertThatIllegalArgumentException().isThrownBy(() -> ScaleSteps.parse("--scale-devices", "0", 1));
        assertThatIllegalArgumentException().isThrownBy(() -> ScaleSteps.parse("--scale-devices", ",", 1));
    }

    @Test
    void aSizeHoldsWhenAllConnectWithFullHandshakesAndAtLeast95PercentOfTheOfferedMessagesAreAcknowledged() {
        assertThat(ScaleSteps.failure(1_000, 1_000, null, 1_000, 19_000, 20)).isNull();
        assertThat(ScaleSteps.failure(1_000, 1_000, null, 1_000, 18_999, 20)).contains("18,999 of 20,000");
        assertThat(ScaleSteps.failure(1_000, 999, "first failure: timeout", 999, 20_000, 20))
            .isEqualTo("999 of 1,000 connected (first failure: timeout)");
        assertThat(ScaleSteps.failure(1_000, 1_000, null, 999, 20_000, 20))
            .isEqualTo("only 999 full TLS handshakes for 1,000 connections (sessions resumed)");
    }

    @Test
    void onlyTheConnectPhaseGrowsWithTheSize() {
        assertThat(ScaleSteps.projectedNanos(10_000, 8 * SECOND, 30 * SECOND, 20_000)).isEqualTo(38 * SECOND);
    }

    @Test
    void theRampStopsBeforeASizeThatWouldExceedTimeOpenFilesOrHeap() {
        long mib = 1 << 20;
        assertThat(ScaleSteps.boundBefore(20_000, 100 * SECOND, 40 * SECOND, 240 * SECOND, 262_144, 20 * mib,
                20 * 1024, 1024 * mib)).isNull();
        assertThat(ScaleSteps.boundBefore(20_000, 210 * SECOND, 40 * SECOND, 240 * SECOND, 262_144, 20 * mib,
                20 * 1024, 1024 * mib)).startsWith("time:");
        assertThat(ScaleSteps.boundBefore(20_000, 100 * SECOND, 40 * SECOND, 240 * SECOND, 20_000, 20 * mib,
                20 * 1024, 1024 * mib)).startsWith("open files:").contains("20,000");
        // 20 MiB + 50,000 x 20 KiB = about 997 MiB, beyond 90 % of 1 GiB
        assertThat(ScaleSteps.boundBefore(50_000, 100 * SECOND, 40 * SECOND, 240 * SECOND, 262_144, 20 * mib,
                20 * 1024, 1024 * mib)).startsWith("broker heap:");
        assertThat(ScaleSteps.boundBefore(20_000, 100 * SECOND, 40 * SECOND, 240 * SECOND, -1, 20 * mib,
                20 * 1024, 1024 * mib)).isNull();
    }

    @Test
    void perDeviceFiguresAreTheDifferenceOverTheDevices() {
        assertThat(ScaleSteps.perDevice(30_000_000, 10_000_000, 1_000)).isEqualTo(20_000.0);
        assertThat(ScaleSteps.perDevice(1, 0, 0)).isNaN();
    }
}
