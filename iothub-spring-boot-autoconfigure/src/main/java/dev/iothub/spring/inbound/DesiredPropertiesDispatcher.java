package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.StringUtils;

import dev.iothub.spring.inbound.IotHubInboundRouter.Registration;

/**
 * Delivers desired-property updates to the handlers one at a time, in order, applying the {@code $version} rule:
 * a notification not newer than the last version delivered is dropped; the whole document read after a (re)connect
 * is dropped when its version was delivered already, and delivered when its version is lower (the twin was
 * re-created at the hub, which restarts versions) or higher (changes made while offline). An update that is not a
 * JSON object, or whose body names another {@code $version}, is rejected before its version is recorded, with one
 * warning for the update whatever the number of handlers.
 */
final class DesiredPropertiesDispatcher {

    static final int LOGGED_VALUE_LENGTH = 200;

    private static final Log logger = LogFactory.getLog(DesiredPropertiesDispatcher.class);

    private static final long NONE = Long.MIN_VALUE;

    private final InboundExecutor executor;

    private final RateLimitedWarnings warnings;

    private final List<DesiredPropertiesHandler> handlers = new CopyOnWriteArrayList<>();

    private volatile long lastVersion = NONE;

    DesiredPropertiesDispatcher(InboundExecutor executor, RateLimitedWarnings warnings) {
        this.executor = executor;
        this.warnings = warnings;
    }

    Registration add(DesiredPropertiesHandler handler) {
        this.handlers.add(handler);
        return () -> this.handlers.remove(handler);
    }

    boolean hasHandlers() {
        return !this.handlers.isEmpty();
    }

    Optional<Long> lastVersion() {
        long version = this.lastVersion;
        return (version != NONE) ? Optional.of(version) : Optional.empty();
    }

    /** Queues an update for the handlers; never blocks. */
    void dispatch(DesiredPropertiesUpdate update) {
        if (this.executor.execute(() -> deliver(update)) == InboundExecutor.Outcome.FULL) {
            this.warnings.warn("Dropped desired-property updates: " + this.executor.queueCapacity() + " are waiting "
                    + "for the handlers; the twin is read again after the next reconnect",
                    " ($version " + update.version() + ")");
        }
    }

    private void deliver(DesiredPropertiesUpdate update) {
        String problem = problem(update);
        if (problem != null) {
            this.warnings.warn("Dropped desired properties from IoT Hub: " + problem, " ($version "
                    + update.version() + "): " + StringUtils.truncate(update.payloadAsString(), LOGGED_VALUE_LENGTH));
            return;
        }
        long previous = this.lastVersion;
        if (previous != NONE && update.version() <= previous) {
            if (!update.complete() || update.version() == previous) {
                logger.debug("Ignoring desired properties $version " + update.version() + "; already at " + previous);
                return;
            }
            logger.info("The desired properties went back from $version " + previous + " to " + update.version()
                    + " (the device was probably re-created at the hub); delivering them as they are now");
        }
        this.lastVersion = update.version();
        for (DesiredPropertiesHandler handler : this.handlers) {
            try {
                handler.handle(update);
            }
            catch (Exception ex) {
                logger.error("Desired properties handler failed on $version " + update.version(), ex);
            }
        }
    }

    /** Why the update cannot be delivered, or {@code null}. */
    private static @Nullable String problem(DesiredPropertiesUpdate update) {
        JsonNode document;
        try {
            document = JsonMapper.shared().readTree(update.payload());
        }
        catch (JacksonException ex) {
            return "not valid JSON";
        }
        if (document == null || !document.isObject()) {
            return "not a JSON object";
        }
        JsonNode version = document.get("$version");
        if (version != null && (!version.isIntegralNumber() || version.asLong() != update.version())) {
            return "the body names another $version";
        }
        return null;
    }

}
