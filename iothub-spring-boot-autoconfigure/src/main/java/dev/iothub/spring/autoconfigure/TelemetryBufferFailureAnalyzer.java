package dev.iothub.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iothub.spring.buffer.TelemetryBufferUnavailableException;

/**
 * Explains a disk buffer that cannot be opened at startup: where it is, why, and how to fix
 * {@code iothub.buffer.directory}.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
class TelemetryBufferFailureAnalyzer extends AbstractFailureAnalyzer<TelemetryBufferUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TelemetryBufferUnavailableException cause) {
        String description = "The telemetry buffer (iothub.buffer.type=disk) cannot be opened in "
                + cause.getDirectory() + ": " + cause.getReason() + ".";
        String action = cause.isInUse()
                ? "Give each application, and each identity, its own iothub.buffer.directory, or stop the other "
                        + "process that uses this one."
                : "Set iothub.buffer.directory to a directory the application may create and write (each identity "
                        + "gets a sub-directory of it), or set iothub.buffer.type=memory.";
        return new FailureAnalysis(description, action, cause);
    }

}
