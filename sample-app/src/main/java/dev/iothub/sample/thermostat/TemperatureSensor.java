package dev.iothub.sample.thermostat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;

import org.springframework.stereotype.Component;

/**
 * A simulated temperature sensor that drifts towards the target temperature and remembers its readings.
 */
@Component
public class TemperatureSensor {

    private final List<Reading> readings = new ArrayList<>();

    private double current = 21.0;

    private double target = 21.0;

    /** Takes a reading, one step closer to the target. */
    public synchronized double read() {
        this.current += (this.target - this.current) * 0.2;
        this.readings.add(new Reading(Instant.now(), this.current));
        return this.current;
    }

    /** Sets the temperature to steer towards. */
    public synchronized void setTarget(double target) {
        this.target = target;
    }

    /** The target temperature. */
    public synchronized double getTarget() {
        return this.target;
    }

    /** Statistics of the readings taken since the given time. */
    public synchronized DoubleSummaryStatistics statisticsSince(Instant since) {
        return this.readings.stream()
            .filter((reading) -> !reading.time().isBefore(since))
            .mapToDouble(Reading::celsius)
            .summaryStatistics();
    }

    /** Forgets the readings, as after a reboot. */
    public synchronized void reset() {
        this.readings.clear();
    }

    private record Reading(Instant time, double celsius) {
    }

}
