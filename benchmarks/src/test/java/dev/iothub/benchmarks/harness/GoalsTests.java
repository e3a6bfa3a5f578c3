package dev.iothub.benchmarks.harness;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GoalsTests {

    @Test
    void eachGoalIsHeldAgainstItsTargetOrReportedAsNotMeasured() {
        Map<String, Object> starter = new LinkedHashMap<>();
        starter.put("id", "starter");
        starter.put("ratioMedian", 0.95);
        starter.put("cpuRatioMedian", 1.3);
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("window", 100);
        series.put("summary", List.of(starter));
        series.put("starterDefaultsOverSdkDefaults", List.of(8.0, 12.0, 11.0));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("throughput", List.of(series));
        document.put("idle", Map.of("cpuPercentOfOneCore", 0.4));
        Map<String, Object> held = new LinkedHashMap<>();
        held.put("devices", 10_000);
        held.put("failure", null);
        held.put("brokerHeapBytesPerDevice", 15_360.0);
        Map<String, Object> scale = new LinkedHashMap<>();
        scale.put("sizes", List.of(held, Map.of("devices", 20_000, "failure", "19,000 of 20,000 connected")));
        scale.put("largestHeld", 10_000);
        document.put("scale", scale);

        Map<String, String> status = new LinkedHashMap<>();
        for (Map<String, Object> goal : Goals.evaluate(document, HarnessOptions.parse(new String[0], Path.of("r")))) {
            status.put((String) goal.get("goal"), (String) goal.get("status"));
        }

        assertThat(status).containsEntry("starter (tuned) >= 0.9x raw Paho like-for-like, window 100", "met")
            .containsEntry("starter client CPU per message <= 1.2x raw Paho's, window 100", "MISSED")
            .containsEntry("starter (tuned) >= 0.9x raw Paho like-for-like, window 1000", "NOT MEASURED")
            .containsEntry("starter at its defaults >= 10x the official SDK at its defaults", "met")
            .containsEntry("idle CPU < 0.5 % of one core at 1 msg/s (starter app, across SAS renewals)", "met")
            .containsEntry("emulator >= Mosquitto, single-connection ack rate, paho client", "NOT MEASURED")
            .containsEntry("emulator holds >= 10,000 devices at 1 msg/s each, full TLS handshakes (largest N that held)",
                    "met")
            .containsEntry("emulator heap per connected device after traffic (largest N that held)", "reported");
    }
}
