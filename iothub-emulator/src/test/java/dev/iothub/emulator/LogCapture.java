package dev.iothub.emulator;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Records what one emulator class logs (through {@link System.Logger}, which the tests route to java.util.logging),
 * down to debug level, until closed.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;

    private final Level previousLevel;

    private final List<String> messages = new CopyOnWriteArrayList<>();

    private final SimpleFormatter formatter = new SimpleFormatter();

    private LogCapture(Class<?> source) {
        this.logger = Logger.getLogger(source.getName());
        this.previousLevel = this.logger.getLevel();
        this.logger.setLevel(Level.FINE);
        this.logger.addHandler(this);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source);
    }

    /** The messages logged so far, formatted, each followed by its exception if it had one. */
    public List<String> messages() {
        return List.copyOf(this.messages);
    }

    @Override
    public void publish(LogRecord record) {
        String thrown = (record.getThrown() != null) ? " " + record.getThrown() : "";
        this.messages.add(this.formatter.formatMessage(record) + thrown);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        this.logger.removeHandler(this);
        this.logger.setLevel(this.previousLevel);
    }
}
