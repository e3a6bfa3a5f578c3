package dev.iothub.spring.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

class RateLimitedWarningsTests {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Log log = mock(Log.class);

    private final AtomicLong now = new AtomicLong(1_000);

    private final List<Runnable> scheduled = new ArrayList<>();

    private final List<Duration> delays = new ArrayList<>();

    private boolean schedulerRunning = true;

    private final RateLimitedWarnings warnings = new RateLimitedWarnings(this.log, MINUTE, this.now::get,
            (task, delay) -> {
                this.scheduled.add(task);
                this.delays.add(delay);
                return this.schedulerRunning;
            });

    private List<String> logged(int expected) {
        ArgumentCaptor<Object> lines = ArgumentCaptor.forClass(Object.class);
        verify(this.log, times(expected)).warn(lines.capture());
        return lines.getAllValues().stream().map(String::valueOf).toList();
    }

    @Test
    void whenAProblemRepeatsWithinTheIntervalThenItIsLoggedOnceAndSummarisedWhenTheIntervalEnds() {
        this.warnings.warn("Dropped a thing: no $rid", " (topic a)");
        this.now.addAndGet(Duration.ofSeconds(10).toNanos());
        this.warnings.warn("Dropped a thing: no $rid", " (topic b)");
        this.warnings.warn("Dropped a thing: no $rid", " (topic c)");
        assertThat(logged(1)).containsExactly("Dropped a thing: no $rid (topic a)");
        assertThat(this.scheduled).hasSize(1);
        assertThat(this.delays).containsExactly(Duration.ofSeconds(50));

        this.now.addAndGet(Duration.ofSeconds(50).toNanos());
        this.scheduled.get(0).run();
        assertThat(logged(2)).last().isEqualTo("Dropped a thing: no $rid: 2 more within 60 s, the last (topic c)");
    }

    @Test
    void whenProblemsDifferThenEachIsLoggedOnce() {
        this.warnings.warn("Dropped a thing: no $rid", " (topic a)");
        this.warnings.warn("Dropped a thing: no $version", " (topic b)");
        this.warnings.warn("Dropped a thing: no $rid", " (topic c)");
        assertThat(logged(2)).containsExactly("Dropped a thing: no $rid (topic a)",
                "Dropped a thing: no $version (topic b)");
    }

    @Test
    void whenTheIntervalIsOverThenTheProblemIsLoggedAgain() {
        this.warnings.warn("Problem", " 1");
        this.now.addAndGet(MINUTE.toNanos());
        this.warnings.warn("Problem", " 2");
        assertThat(logged(2)).containsExactly("Problem 1", "Problem 2");
        assertThat(this.scheduled).isEmpty();
    }

    @Test
    void whenNothingCanBeScheduledThenTheCountIsFoldedIntoTheNextLine() {
        this.schedulerRunning = false;
        this.warnings.warn("Problem", " 1");
        this.warnings.warn("Problem", " 2");
        this.warnings.warn("Problem", " 3");
        this.now.addAndGet(MINUTE.toNanos());
        this.warnings.warn("Problem", " 4");
        assertThat(logged(2)).containsExactly("Problem 1", "Problem 4 (and 2 more before)");
    }

    @Test
    void whenFlushedThenHeldBackRepeatsAreSummarised() {
        this.warnings.warn("Problem", " 1");
        this.warnings.warn("Problem", " 2");
        this.warnings.flush();
        this.warnings.flush();
        assertThat(logged(2)).containsExactly("Problem 1", "Problem: 1 more within 60 s, the last 2");
    }

}
