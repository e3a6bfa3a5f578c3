package dev.iothub.benchmarks.harness;

import java.nio.file.Path;

import dev.iothub.benchmarks.client.StackKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

class HarnessOptionsTests {

    private static final Path OUTPUT = Path.of("results.json");

    @Test
    void defaultsRunEveryScenarioButIdleWithEveryStackAtBothWindows() {
        HarnessOptions options = HarnessOptions.parse(new String[0], OUTPUT);
        assertThat(options.scenarios).isEqualTo(HarnessOptions.DEFAULT_SCENARIOS).contains("idle");
        assertThat(options.stacks).containsExactly(StackKind.values());
        assertThat(options.windows).containsExactly(100, 1000);
        assertThat(options.rounds).isEqualTo(5);
        assertThat(options.warmUpMin).isEqualTo(10);
        assertThat(options.address).isEqualTo("127.0.0.5");
        assertThat(options.pin).isTrue();
    }

    @Test
    void scenariosAndOptionsAreParsed() {
        HarnessOptions options = HarnessOptions.parse(new String[] { "latency", "--latency-rates", "500,2000",
            "--no-pin", "--client-jvm-options", "-Xmx64m -XX:+UseG1GC" }, OUTPUT);
        assertThat(options.scenarios).containsExactly("latency");
        assertThat(options.latencyRates).containsExactly(500, 2000);
        assertThat(options.pin).isFalse();
        assertThat(options.clientJvmOptions).containsExactly("-Xmx64m", "-XX:+UseG1GC");
    }

    @Test
    void scaleRunsBetweenMethodsAndStartupWithItsOwnSizes() {
        assertThat(HarnessOptions.DEFAULT_SCENARIOS).containsSubsequence("methods", "scale", "startup");
        HarnessOptions defaults = HarnessOptions.parse(new String[0], OUTPUT);
        assertThat(defaults.scaleSteps.fixed()).containsExactly(1_000, 10_000);
        assertThat(defaults.scaleSteps.max()).isTrue();
        assertThat(defaults.scaleSeconds).isEqualTo(10);
        HarnessOptions options = HarnessOptions.parse(new String[] { "scale", "--scale-devices", "500",
            "--scale-seconds", "5", "--scale-source-addresses", "2", "--scale-client-jvm-options", "-Xmx1g" }, OUTPUT);
        assertThat(options.scenarios).containsExactly("scale");
        assertThat(options.scaleSteps.fixed()).containsExactly(500);
        assertThat(options.scaleSteps.max()).isFalse();
        assertThat(options.scaleSourceAddresses).isEqualTo(2);
        assertThat(options.scaleClientJvmOptions).containsExactly("-Xmx1g");
        assertThatIllegalArgumentException()
            .isThrownBy(() -> HarnessOptions.parse(new String[] { "--scale-source-addresses", "300" }, OUTPUT));
    }

    @Test
    void loadGoesOnlyToLoopback() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> HarnessOptions.parse(new String[] { "--address", "10.0.0.5" }, OUTPUT))
            .withMessageContaining("loopback");
    }

    @Test
    void aStackWithoutAnOpenLoopModeIsRefusedForLatency() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> HarnessOptions.parse(new String[] { "--latency-stacks", "channel-1" }, OUTPUT))
            .withMessageContaining("open-loop");
    }

    @Test
    void startupRunsTheFatJarsAsBuiltAndWithAotAndCdsByDefault() {
        assertThat(HarnessOptions.parse(new String[0], OUTPUT).startupVariants)
            .containsExactly(StartupVariant.FAT_JAR, StartupVariant.AOT_CDS);
        assertThat(HarnessOptions.parse(new String[] { "--startup-variants", "aot, fat-jar" }, OUTPUT).startupVariants)
            .containsExactly(StartupVariant.AOT, StartupVariant.FAT_JAR);
    }

    @Test
    void startupMeasuresTheMinimalPairByDefaultAndTheWebPairWhenAsked() {
        assertThat(HarnessOptions.parse(new String[0], OUTPUT).startupPairs).extracting(StartupScenario.Pair::id)
            .containsExactly("minimal");
        assertThat(HarnessOptions.parse(new String[] { "--startup-pairs", "minimal,web" }, OUTPUT).startupPairs)
            .extracting(StartupScenario.Pair::bare, StartupScenario.Pair::starter)
            .containsExactly(tuple("bare-boot", "starter"), tuple("bare-web", "starter-web"));
    }

    @Test
    void anUnknownStartupVariantIsRefused() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> HarnessOptions.parse(new String[] { "--startup-variants", "native" }, OUTPUT))
            .withMessageContaining("native");
    }

    @Test
    void unknownOptionsFail() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> HarnessOptions.parse(new String[] { "--mesages", "10" }, OUTPUT))
            .withMessageContaining("--mesages");
    }
}
