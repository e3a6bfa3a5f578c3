package dev.iothub.benchmarks.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RoundsTests {

    @Test
    void ratiosPairRunsOfTheSameRound() {
        List<Map<String, Object>> runs = new ArrayList<>();
        runs.add(run("paho", 1, 100, 10));
        runs.add(run("starter", 1, 50, 20));
        runs.add(run("starter", 2, 90, 20));
        runs.add(run("paho", 2, 100, 10));
        runs.add(run("paho", 3, 100, 10));
        assertThat(Rounds.ratios(runs, "starter", "paho", "messagesPerSecond")).containsExactly(0.5, 0.9);
    }

    @Test
    void summaryGivesTheMedianOfPerRoundRatiosNotTheRatioOfMedians() {
        List<Map<String, Object>> runs = List.of(run("paho", 1, 100, 10), run("starter", 1, 90, 12),
                run("paho", 2, 50, 10), run("starter", 2, 50, 12), run("paho", 3, 200, 10),
                run("starter", 3, 40, 12));
        List<Rounds.Entry> entries = List.of(new Rounds.Entry("paho", "", null, null, Map.of()),
                new Rounds.Entry("starter", "", null, null, Map.of()));
        Map<String, Object> starter = Rounds.summarize(runs, entries, "paho").get(1);
        assertThat((double) starter.get("ratioMedian")).isCloseTo(0.9, within(1e-9));
        assertThat((double) starter.get("ratioMin")).isCloseTo(0.2, within(1e-9));
        assertThat((double) starter.get("cpuRatioMedian")).isCloseTo(1.2, within(1e-9));
        assertThat((double) starter.get("messagesPerSecondMedian")).isEqualTo(50.0);
    }

    @Test
    void failedRunsAreLeftOutOfTheSummary() {
        Map<String, Object> failed = run("starter", 2, 0, 0);
        failed.put("error", "timed out");
        List<Map<String, Object>> runs = List.of(run("starter", 1, 10, 1), failed, run("starter", 3, 30, 1));
        Map<String, Object> summary = Rounds.summarize(runs,
                List.of(new Rounds.Entry("starter", "", null, null, Map.of())), null).get(0);
        assertThat(summary.get("runs")).isEqualTo(2);
        assertThat(summary.get("messagesPerSecondMedian")).isEqualTo(20.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Rounds.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    }

    private static Map<String, Object> run(String id, int round, double rate, double cpu) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", id);
        run.put("round", round);
        run.put("messagesPerSecond", rate);
        run.put("cpuMicrosPerMessage", cpu);
        return run;
    }
}
