package dev.iothub.spring.provisioning;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The last assignment of one registration, in a JSON file, so that a restart connects straight to the hub. The file
 * holds the ID scope, registration id, endpoint, hub and device id, never a key; it is used only while all of the
 * first three match the configuration. A file that cannot be read or written costs a registration, not the start.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class AssignmentCache {

    private static final Log logger = LogFactory.getLog(AssignmentCache.class);

    private final Path file;

    private final String idScope;

    private final String registrationId;

    private final String endpoint;

    private final JsonMapper json;

    private final Clock clock;

    /**
     * @param directory the cache directory, created when the first assignment is written
     * @param settings the registration whose assignment is cached
     */
    public AssignmentCache(Path directory, ProvisioningSettings settings, JsonMapper json, Clock clock) {
        this.idScope = settings.idScope();
        this.registrationId = settings.registrationId();
        this.endpoint = settings.endpoint();
        this.file = directory.resolve((this.idScope + "-" + this.registrationId).replaceAll("[^A-Za-z0-9._-]", "_")
                + ".json");
        this.json = json;
        this.clock = clock;
    }

    /** The cache file. */
    public Path getFile() {
        return this.file;
    }

    /** The cached assignment, if there is one for this registration. */
    public Optional<DeviceAssignment> read() {
        if (!Files.isRegularFile(this.file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = this.json.readTree(this.file.toFile());
            if (!this.idScope.equals(node.path("idScope").asString(""))
                    || !this.registrationId.equals(node.path("registrationId").asString(""))
                    || !this.endpoint.equals(node.path("globalEndpoint").asString(""))) {
                logger.info("The cached assignment in " + this.file + " is for another registration; registering");
                return Optional.empty();
            }
            String hub = node.path("assignedHub").asString("");
            String deviceId = node.path("deviceId").asString("");
            return (hub.isEmpty() || deviceId.isEmpty()) ? Optional.empty()
                    : Optional.of(new DeviceAssignment(hub, deviceId));
        }
        catch (JacksonException ex) {
            logger.warn("Could not read the cached assignment " + this.file + " (" + ex.getOriginalMessage()
                    + "); registering");
            return Optional.empty();
        }
    }

    /** Writes the assignment, replacing the file in one move. */
    public void write(DeviceAssignment assignment) {
        ObjectNode node = this.json.createObjectNode();
        node.put("idScope", this.idScope);
        node.put("registrationId", this.registrationId);
        node.put("globalEndpoint", this.endpoint);
        node.put("assignedHub", assignment.hostName());
        node.put("deviceId", assignment.deviceId());
        node.put("assignedAt", this.clock.instant().toString());
        try {
            Files.createDirectories(this.file.getParent());
            Path temporary = Files.createTempFile(this.file.getParent(), this.file.getFileName().toString(), ".tmp");
            try {
                Files.write(temporary, this.json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
                Files.move(temporary, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            finally {
                Files.deleteIfExists(temporary);
            }
        }
        catch (IOException | JacksonException ex) {
            logger.warn("Could not cache the assignment in " + this.file + " (" + ex.getMessage()
                    + "); the next start registers again");
        }
    }

    /** Forgets the assignment. */
    public void clear() {
        try {
            Files.deleteIfExists(this.file);
        }
        catch (IOException ex) {
            logger.warn("Could not delete the cached assignment " + this.file + " (" + ex.getMessage() + ")");
        }
    }

}
