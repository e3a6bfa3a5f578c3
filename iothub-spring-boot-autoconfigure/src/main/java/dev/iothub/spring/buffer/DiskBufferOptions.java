package dev.iothub.spring.buffer;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link TelemetryLog} stores messages.
 *
 * @param directory the directory holding this device's segment files and checkpoint
 * @param maxSize the most bytes the segment files may take
 * @param sync when stored messages are forced to the storage device
 * @param syncInterval how often {@link Sync#INTERVAL} forces the files (and writes the checkpoint)
 * @param whenFull what a send does when {@code maxSize} is reached
 */
public record DiskBufferOptions(Path directory, long maxSize, Sync sync, Duration syncInterval, WhenFull whenFull) {

    /** When a stored message is forced to the storage device. */
    public enum Sync {

        /**
         * Before the send is accepted; concurrent sends share one force (group commit). Survives power loss.
         */
        EVERY_MESSAGE,

        /**
         * Written to the operating system before the send is accepted (survives a crash of the process) and forced
         * at the sync interval (a power loss may lose that interval).
         */
        INTERVAL

    }

    /** What a send does when the buffer is full. */
    public enum WhenFull {

        /** Wait up to the send timeout for the hub to acknowledge older messages, then fail. */
        BLOCK,

        /** Discard the oldest stored messages (whole segments), counted and logged. */
        DROP_OLDEST

    }

}
