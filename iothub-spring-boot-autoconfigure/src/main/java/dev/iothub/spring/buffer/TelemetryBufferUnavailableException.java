package dev.iothub.spring.buffer;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when the disk buffer cannot be opened: its directory cannot be created or written, is a file, or is held
 * by another process.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class TelemetryBufferUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient Path directory;

    private final String reason;

    private final boolean inUse;

    TelemetryBufferUnavailableException(Path directory, String reason, boolean inUse, @Nullable Throwable cause) {
        super("The telemetry buffer in " + directory + " cannot be used: " + reason, cause);
        this.directory = directory;
        this.reason = reason;
        this.inUse = inUse;
    }

    /** The directory of the buffer. */
    public Path getDirectory() {
        return this.directory;
    }

    /** Why it cannot be used, in a few words. */
    public String getReason() {
        return this.reason;
    }

    /** Whether another process (or another application in this JVM) holds the buffer. */
    public boolean isInUse() {
        return this.inUse;
    }

}
