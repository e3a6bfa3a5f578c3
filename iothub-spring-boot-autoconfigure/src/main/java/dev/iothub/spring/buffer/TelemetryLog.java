package dev.iothub.spring.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import dev.iothub.spring.buffer.DiskBufferOptions.Sync;
import dev.iothub.spring.buffer.DiskBufferOptions.WhenFull;

/**
 * A segmented append-only log of telemetry on disk: each accepted message is appended as a CRC32C-framed record,
 * and a checkpoint file remembers the oldest message the hub has not acknowledged. Segments whose messages are all
 * acknowledged are deleted. On open, the messages not yet acknowledged are indexed in order (their content stays
 * on disk until {@link #read}); a damaged or truncated record is reported at WARN with its file and offset and
 * skipped, and so is a record found damaged when it is read back.
 * <p>
 * Thread-safe. One background thread ({@code iothub-buffer-<clientId>}) forces the files and writes the checkpoint
 * at the sync interval; it is stopped by {@link #close()}.
 */
public final class TelemetryLog implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(TelemetryLog.class);

    private static final String SEGMENT_PREFIX = "segment-";

    private static final String SEGMENT_SUFFIX = ".log";

    private static final long MAX_SEGMENT = 16L * 1024 * 1024;

    private static final long MIN_SEGMENT = 4L * 1024;

    private static final long DROP_WARNING_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final DiskBufferOptions options;

    private final long segmentSize;

    private final Path checkpointFile;

    private final FileChannel lockChannel;

    private final FileLock directoryLock;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition room = this.lock.newCondition();

    private final Object syncMonitor = new Object();

    private final Deque<Segment> segments = new ArrayDeque<>();

    /** Sequences not yet acknowledged, oldest first. */
    private final ArrayDeque<Long> unacknowledged = new ArrayDeque<>();

    /** Acknowledged sequences behind an older unacknowledged one. */
    private final Set<Long> acknowledgedOutOfOrder = new HashSet<>();

    private final List<StoredMessage> recovered;

    private final ScheduledExecutorService syncThread;

    private long nextSequence;

    private long bytes;

    private long appendedBytes;

    private long syncedBytes;

    private long checkpointed;

    private long dropped;

    private long damaged;

    private long segmentIds;

    private long droppedSinceWarning;

    private long lastDropWarning;

    private boolean closed;

    private TelemetryLog(DiskBufferOptions options, String clientId) throws IOException {
        this.options = options;
        this.segmentSize = Math.max(MIN_SEGMENT, Math.min(MAX_SEGMENT, options.maxSize() / 8));
        Path directory = options.directory();
        Files.createDirectories(directory);
        this.checkpointFile = directory.resolve("checkpoint");
        this.lockChannel = FileChannel.open(directory.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock directoryLock;
        try {
            directoryLock = this.lockChannel.tryLock();
        }
        catch (OverlappingFileLockException ex) {
            directoryLock = null;
        }
        if (directoryLock == null) {
            this.lockChannel.close();
            throw new TelemetryBufferUnavailableException(directory, "another process or application uses it", true,
                    null);
        }
        this.directoryLock = directoryLock;
        this.checkpointed = readCheckpoint();
        this.recovered = recover(this.checkpointed);
        for (StoredMessage message : this.recovered) {
            this.unacknowledged.addLast(message.sequence());
        }
        this.syncThread = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread thread = new Thread(task, "iothub-buffer-" + clientId);
            thread.setDaemon(true);
            return thread;
        });
        long interval = options.syncInterval().toNanos();
        this.syncThread.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.NANOSECONDS);
        if (!this.recovered.isEmpty()) {
            logger.info(this.recovered.size() + " telemetry message(s) from " + directory
                    + " were not acknowledged by IoT Hub before the last stop; sending them again");
        }
    }

    /**
     * Opens (creating if needed) the log in the options' directory and reads back what it holds.
     *
     * @param clientId names the sync thread
     * @throws TelemetryBufferUnavailableException when the directory cannot be used
     */
    public static TelemetryLog open(DiskBufferOptions options, String clientId) {
        try {
            return new TelemetryLog(options, clientId);
        }
        catch (IOException ex) {
            throw new TelemetryBufferUnavailableException(options.directory(), reason(ex), false, ex);
        }
    }

    private static String reason(IOException ex) {
        if (ex instanceof FileAlreadyExistsException || ex instanceof NotDirectoryException
                || (ex instanceof FileSystemException fs && "Not a directory".equals(fs.getReason()))) {
            return "a file is in the way where a directory must be (" + ex.getMessage() + ")";
        }
        if (ex instanceof AccessDeniedException) {
            return "the application may not create or write " + ex.getMessage();
        }
        return ex.toString();
    }

    /** Where the messages not acknowledged before this log was opened lie, oldest first; taken once. */
    public List<StoredMessage> takeRecovered() {
        this.lock.lock();
        try {
            List<StoredMessage> messages = List.copyOf(this.recovered);
            this.recovered.clear();
            return messages;
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Stores a message; returns once it is as durable as the sync policy promises.
     *
     * @param wait how long to wait for room when the buffer is full and blocks
     * @return where the message lies, and the sequence below which messages were dropped to make room
     * @throws TelemetryBufferFullException when the buffer blocks and no room came within {@code wait}
     */
    public Appended append(String topic, byte[] payload, Duration wait) throws TelemetryBufferFullException {
        ByteBuffer record;
        StoredMessage stored;
        long droppedBefore = -1;
        long end;
        this.lock.lock();
        try {
            int size = LogRecordFormat.size(topic, payload);
            if (size > this.options.maxSize()) {
                throw new TelemetryBufferFullException("A message of " + size + " bytes does not fit into a buffer of "
                        + this.options.maxSize() + " bytes (iothub.buffer.max-size)");
            }
            droppedBefore = makeRoom(size, wait);
            long sequence = this.nextSequence++;
            record = LogRecordFormat.encode(sequence, topic, payload);
            Segment active = active(sequence);
            stored = new StoredMessage(sequence, active.id, active.bytes, size);
            write(active, record);
            active.add(sequence, size);
            this.bytes += size;
            this.appendedBytes += size;
            end = this.appendedBytes;
            this.unacknowledged.addLast(sequence);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not write to the telemetry buffer in " + this.options.directory(),
                    ex);
        }
        finally {
            this.lock.unlock();
        }
        if (this.options.sync() == Sync.EVERY_MESSAGE) {
            syncTo(end);
        }
        return new Appended(stored, droppedBefore);
    }

    /**
     * Reads a stored message back from its segment file.
     *
     * @return the message, or {@code null} when it is no longer stored (dropped to make room) or the calling thread
     * was interrupted
     * @throws TelemetryBufferDamagedException when the record is no longer intact; it is reported once and counted
     */
    public @Nullable BufferedMessage read(StoredMessage stored) throws TelemetryBufferDamagedException {
        this.lock.lock();
        try {
            Segment segment = segment(stored.segment());
            if (segment == null || this.closed) {
                return null;
            }
            ByteBuffer record = ByteBuffer.allocate(stored.size());
            String problem;
            try {
                FileChannel reader = segment.reader();
                int read = 0;
                while (record.hasRemaining() && read >= 0) {
                    read = reader.read(record, stored.offset() + record.position());
                }
                problem = LogRecordFormat.check(record.flip(), stored.sequence());
            }
            catch (ClosedByInterruptException ex) {
                segment.reader = null;
                Thread.currentThread().interrupt();
                return null;
            }
            catch (IOException ex) {
                problem = ex.toString();
            }
            if (problem == null) {
                return LogRecordFormat.decode(record);
            }
            this.damaged++;
            String message = "Skipped a damaged part of the telemetry buffer " + segment.path + " at offset "
                    + stored.offset() + " (" + problem + ") when reading it back; message " + stored.sequence()
                    + " is lost";
            logger.warn(message);
            throw new TelemetryBufferDamagedException(message);
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * Reads adjacent stored messages of one segment back with a single read, for sending them soon; unlike
     * {@link #read}, a record that is not intact is only left out ({@code null} in its place), to be reported when it
     * is read on its own.
     *
     * @param run messages that follow each other in one segment
     * @return their contents in order, or an empty list when nothing could be read
     */
    public List<@Nullable BufferedMessage> readAhead(List<StoredMessage> run) {
        if (run.isEmpty()) {
            return List.of();
        }
        StoredMessage first = run.get(0);
        StoredMessage last = run.get(run.size() - 1);
        this.lock.lock();
        try {
            Segment segment = segment(first.segment());
            if (segment == null || this.closed || last.segment() != first.segment()) {
                return List.of();
            }
            ByteBuffer records = ByteBuffer.allocate((int) (last.offset() + last.size() - first.offset()));
            try {
                FileChannel reader = segment.reader();
                int read = 0;
                while (records.hasRemaining() && read >= 0) {
                    read = reader.read(records, first.offset() + records.position());
                }
            }
            catch (ClosedByInterruptException ex) {
                segment.reader = null;
                Thread.currentThread().interrupt();
                return List.of();
            }
            catch (IOException ex) {
                return List.of();
            }
            List<@Nullable BufferedMessage> contents = new ArrayList<>(run.size());
            for (StoredMessage stored : run) {
                int at = (int) (stored.offset() - first.offset());
                ByteBuffer record = (at >= 0 && at + stored.size() <= records.position())
                        ? records.slice(at, stored.size()) : ByteBuffer.allocate(0);
                contents.add((LogRecordFormat.check(record, stored.sequence()) == null)
                        ? LogRecordFormat.decode(record) : null);
            }
            return contents;
        }
        finally {
            this.lock.unlock();
        }
    }

    private @Nullable Segment segment(long id) {
        for (Segment segment : this.segments) {
            if (segment.id == id) {
                return segment;
            }
        }
        return null;
    }

    /** The hub acknowledged the message (or it failed for good): it is not sent again. */
    public void acknowledge(long sequence) {
        this.lock.lock();
        try {
            Long oldest = this.unacknowledged.peekFirst();
            if (oldest == null || sequence < oldest) {
                return;
            }
            if (sequence != oldest) {
                this.acknowledgedOutOfOrder.add(sequence);
                return;
            }
            this.unacknowledged.pollFirst();
            while (!this.unacknowledged.isEmpty()
                    && this.acknowledgedOutOfOrder.remove(this.unacknowledged.peekFirst())) {
                this.unacknowledged.pollFirst();
            }
            deleteAcknowledgedSegments();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Messages stored and not yet acknowledged. */
    public long size() {
        this.lock.lock();
        try {
            return this.unacknowledged.size() - this.acknowledgedOutOfOrder.size();
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Bytes the segment files take. */
    public long bytes() {
        this.lock.lock();
        try {
            return this.bytes;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Messages discarded so far because the buffer was full ({@code drop-oldest}). */
    public long droppedCount() {
        this.lock.lock();
        try {
            return this.dropped;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Stored messages found damaged when read back, and skipped. */
    public long damagedCount() {
        this.lock.lock();
        try {
            return this.damaged;
        }
        finally {
            this.lock.unlock();
        }
    }

    /** Forces the files, writes the checkpoint and stops the sync thread; what is not acknowledged stays. */
    @Override
    public void close() {
        this.syncThread.shutdown();
        try {
            this.syncThread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.lock.lock();
        try {
            if (this.closed) {
                return;
            }
            this.closed = true;
            for (Segment segment : this.segments) {
                segment.close();
            }
            writeCheckpoint(lowWater());
            this.directoryLock.release();
            this.lockChannel.close();
        }
        catch (IOException ex) {
            logger.warn("Could not close the telemetry buffer in " + this.options.directory(), ex);
        }
        finally {
            this.room.signalAll();
            this.lock.unlock();
        }
    }

    private long makeRoom(int size, Duration wait) throws TelemetryBufferFullException, IOException {
        long droppedBefore = -1;
        long left = wait.toNanos();
        while (this.bytes + size > this.options.maxSize()) {
            Segment active = this.segments.peekLast();
            if (active != null && active.channel != null && active.count > 0) {
                active.close();
                deleteAcknowledgedSegments();
                continue;
            }
            if (this.options.whenFull() == WhenFull.DROP_OLDEST) {
                Segment oldest = this.segments.peekFirst();
                if (oldest == null) {
                    break;
                }
                droppedBefore = oldest.lastSequence + 1;
                drop(oldest);
                continue;
            }
            if (left <= 0 || this.closed) {
                throw new TelemetryBufferFullException("The telemetry buffer is full: " + this.bytes + " of "
                        + this.options.maxSize() + " bytes wait for the hub's acknowledgement (iothub.buffer.max-size)");
            }
            try {
                left = this.room.awaitNanos(left);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new TelemetryBufferFullException("Interrupted while waiting for room in the telemetry buffer");
            }
        }
        return droppedBefore;
    }

    private void drop(Segment oldest) throws IOException {
        long count = 0;
        while (!this.unacknowledged.isEmpty() && this.unacknowledged.peekFirst() <= oldest.lastSequence) {
            Long sequence = this.unacknowledged.pollFirst();
            if (!this.acknowledgedOutOfOrder.remove(sequence)) {
                count++;
            }
        }
        delete(this.segments.pollFirst());
        this.dropped += count;
        this.droppedSinceWarning += count;
        long now = System.nanoTime();
        if (this.lastDropWarning == 0 || now - this.lastDropWarning >= DROP_WARNING_NANOS) {
            logger.warn("The telemetry buffer " + this.options.directory() + " is full (iothub.buffer.max-size="
                    + this.options.maxSize() + " bytes): dropped the " + this.droppedSinceWarning
                    + " oldest message(s) not yet acknowledged by IoT Hub, " + this.dropped + " in all");
            this.lastDropWarning = now;
            this.droppedSinceWarning = 0;
        }
    }

    /**
     * Appends a record. An interrupt of the sending thread closes a {@link FileChannel}: the segment is then
     * reopened, cut back to its last whole record and the record written again, and the interrupt kept.
     */
    private void write(Segment segment, ByteBuffer record) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                FileChannel channel = segment.reopen();
                try {
                    while (record.hasRemaining()) {
                        channel.write(record);
                    }
                    return;
                }
                catch (ClosedByInterruptException ex) {
                    interrupted |= Thread.interrupted();
                    record.rewind();
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Segment active(long sequence) throws IOException {
        Segment active = this.segments.peekLast();
        if (active != null && active.channel != null && active.bytes < this.segmentSize) {
            return active;
        }
        if (active != null) {
            active.close();
        }
        Path path = this.options.directory().resolve(String.format("%s%020d%s", SEGMENT_PREFIX, sequence,
                SEGMENT_SUFFIX));
        Segment segment = new Segment(this.segmentIds++, path,
                FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        this.segments.addLast(segment);
        return segment;
    }

    private void deleteAcknowledgedSegments() {
        long low = lowWater();
        boolean freed = false;
        while (this.segments.size() > 1 || (this.segments.size() == 1 && this.segments.peekFirst().channel == null)) {
            Segment oldest = this.segments.peekFirst();
            if (oldest.count > 0 && oldest.lastSequence >= low) {
                break;
            }
            try {
                delete(this.segments.pollFirst());
                freed = true;
            }
            catch (IOException ex) {
                logger.warn("Could not delete the acknowledged telemetry segment " + oldest.path, ex);
                break;
            }
        }
        if (freed) {
            this.room.signalAll();
        }
    }

    private void delete(Segment segment) throws IOException {
        segment.close();
        this.bytes -= segment.bytes;
        Files.deleteIfExists(segment.path);
    }

    private long lowWater() {
        Long oldest = this.unacknowledged.peekFirst();
        return (oldest != null) ? oldest : this.nextSequence;
    }

    /** Group commit: whoever forces covers every record appended before it, so waiting callers share one force. */
    private void syncTo(long end) {
        synchronized (this.syncMonitor) {
            if (this.syncedBytes >= end) {
                return;
            }
            long target;
            Segment active;
            this.lock.lock();
            try {
                target = this.appendedBytes;
                active = this.segments.peekLast();
            }
            finally {
                this.lock.unlock();
            }
            FileChannel channel = (active != null) ? active.channel : null;
            if (channel != null) {
                try {
                    channel.force(false);
                }
                catch (ClosedByInterruptException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
                catch (ClosedChannelException ex) {
                    // Rolled or dropped meanwhile: closing forced it
                }
                catch (IOException ex) {
                    throw new UncheckedIOException("Could not sync the telemetry buffer in "
                            + this.options.directory(), ex);
                }
            }
            this.syncedBytes = target;
        }
    }

    private void tick() {
        try {
            long end;
            long low;
            this.lock.lock();
            try {
                if (this.closed) {
                    return;
                }
                end = this.appendedBytes;
                low = lowWater();
            }
            finally {
                this.lock.unlock();
            }
            syncTo(end);
            if (low != this.checkpointed) {
                writeCheckpoint(low);
            }
        }
        catch (RuntimeException | IOException ex) {
            logger.warn("Could not sync the telemetry buffer in " + this.options.directory(), ex);
        }
    }

    private void writeCheckpoint(long low) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(12).putLong(low);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 8);
        buffer.putInt((int) crc.getValue()).flip();
        Path temporary = this.checkpointFile.resolveSibling("checkpoint.tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        }
        Files.move(temporary, this.checkpointFile, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        this.checkpointed = low;
    }

    private long readCheckpoint() throws IOException {
        if (!Files.exists(this.checkpointFile)) {
            return 0;
        }
        ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(this.checkpointFile));
        if (buffer.limit() == 12) {
            CRC32C crc = new CRC32C();
            crc.update(buffer.array(), 0, 8);
            if ((int) crc.getValue() == buffer.getInt(8)) {
                return buffer.getLong(0);
            }
        }
        logger.warn("The telemetry buffer checkpoint " + this.checkpointFile + " is damaged at offset 0; every "
                + "stored message is sent again");
        return 0;
    }

    private List<StoredMessage> recover(long checkpoint) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(this.options.directory())) {
            files = listing.filter((path) -> {
                String name = path.getFileName().toString();
                return name.startsWith(SEGMENT_PREFIX) && name.endsWith(SEGMENT_SUFFIX);
            }).sorted().toList();
        }
        List<StoredMessage> messages = new ArrayList<>();
        long next = checkpoint;
        for (Path file : files) {
            Segment segment = new Segment(this.segmentIds++, file, null);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                segment.bytes = LogRecordFormat.scan(channel, (sequence, offset, size) -> {
                    if (sequence >= checkpoint
                            && (messages.isEmpty() || sequence > messages.get(messages.size() - 1).sequence())) {
                        messages.add(new StoredMessage(sequence, segment.id, offset, size));
                        segment.add(sequence, 0);
                    }
                }, (offset, reason) -> logger.warn("Skipped a damaged part of the telemetry buffer " + file
                        + " at offset " + offset + " (" + reason + "); the messages in it are lost"));
            }
            if (segment.count == 0) {
                Files.delete(file);
            }
            else {
                this.segments.addLast(segment);
                this.bytes += segment.bytes;
                next = Math.max(next, segment.lastSequence + 1);
            }
        }
        this.nextSequence = next;
        return messages;
    }

    /** What {@link #append} did: where the message lies, and the sequence below which messages were dropped. */
    public record Appended(StoredMessage stored, long droppedBefore) {

        /** The message's sequence. */
        public long sequence() {
            return this.stored.sequence();
        }

    }

    /**
     * Where a stored message lies, to {@link #read} it back; its content is not held in memory.
     *
     * @param sequence its position in the log, increasing across restarts
     * @param segment the segment holding it (valid while this log is open)
     * @param offset its record's offset in that segment
     * @param size its record's size in bytes
     */
    public record StoredMessage(long sequence, long segment, long offset, int size) {
    }

    private static final class Segment {

        final long id;

        final Path path;

        @Nullable FileChannel channel;

        @Nullable FileChannel reader;

        long bytes;

        long count;

        long lastSequence = -1;

        Segment(long id, Path path, @Nullable FileChannel channel) {
            this.id = id;
            this.path = path;
            this.channel = channel;
        }
        void add(long sequence, int size) {
            this.count++;
            this.lastSequence = sequence;
            this.bytes += size;
        }

        FileChannel reopen() throws IOException {
            FileChannel open = this.channel;
            if (open == null) {
                throw new IllegalStateException("The segment " + this.path + " is closed");
            }
            if (open.isOpen()) {
                return open;
            }
            FileChannel reopened = FileChannel.open(this.path, StandardOpenOption.WRITE);
            reopened.truncate(this.bytes);
            reopened.position(this.bytes);
            this.channel = reopened;
            return reopened;
        }

        FileChannel reader() throws IOException {
            FileChannel open = this.reader;
            if (open == null || !open.isOpen()) {
                open = FileChannel.open(this.path, StandardOpenOption.READ);
                this.reader = open;
            }
            return open;
        }

        void close() throws IOException {
            FileChannel reading = this.reader;
            if (reading != null) {
                this.reader = null;
                reading.close();
            }
            FileChannel open = this.channel;
            if (open != null) {
                this.channel = null;
                if (open.isOpen()) {
                    open.force(false);
                    open.close();
                }
            }
        }

    }

}
