package dev.iothub.protocol;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The MQTT username IoT Hub expects: {@code {host}/{deviceId}[/{moduleId}]/?api-version=..[&model-id=..]}.
 *
 * @param hostName the hub host name
 * @param deviceId the device id
 * @param moduleId the module id, or {@code null}
 * @param parameters the decoded query parameters ({@code api-version}, {@code model-id}, {@code DeviceClientType}...)
 */
public record MqttUsername(String hostName, String deviceId, @Nullable String moduleId,
        Map<String, @Nullable String> parameters) {

    /** The api-version this project sends (the one the IoT Hub MQTT documentation gives). */
    public static final String API_VERSION = "2021-04-12";

    /** The MQTT client id of an identity: {@code deviceId}, or {@code deviceId/moduleId} for a module. */
    public static String clientId(String deviceId, @Nullable String moduleId) {
        return (moduleId != null) ? deviceId + "/" + moduleId : deviceId;
    }

    /** Builds a username, with the IoT Plug and Play model id when one is given. */
    public static String format(String hostName, String deviceId, @Nullable String moduleId,
            @Nullable String modelId) {
        return format(hostName, deviceId, moduleId, modelId, null);
    }

    /**
     * Builds a username.
     *
     * @param hostName the IoT Hub host name (never the gateway)
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     * @param modelId the IoT Plug and Play model id, or {@code null}
     * @param clientType a product identifier for the hub's diagnostics ({@code DeviceClientType}), or {@code null}
     */
    public static String format(String hostName, String deviceId, @Nullable String moduleId,
            @Nullable String modelId, @Nullable String clientType) {
        StringBuilder username = new StringBuilder(hostName).append('/').append(deviceId);
        if (moduleId != null) {
            username.append('/').append(moduleId);
        }
        username.append("/?api-version=").append(API_VERSION);
        if (modelId != null && !modelId.isBlank()) {
            username.append("&model-id=").append(UrlEncoding.encode(modelId));
        }
        if (clientType != null && !clientType.isBlank()) {
            username.append("&DeviceClientType=").append(UrlEncoding.encode(clientType));
        }
        return username.toString();
    }

    /**
     * Parses a username. Any api-version (or none) is accepted, unknown parameters are kept, and the old form
     * without {@code ?} ({@code host/device/api-version=...}) is understood.
     *
     * @return the parsed username, or empty when it has no host or device id
     */
    public static Optional<MqttUsername> parse(@Nullable String username) {
        if (username == null) {
            return Optional.empty();
        }
        int question = username.indexOf('?');
        String path = (question < 0) ? username : username.substring(0, question);
        String query = (question < 0) ? "" : username.substring(question + 1);
        String[] segments = path.split("/");
        int identityEnd = segments.length;
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].contains("=")) {
                identityEnd = i;
                query = String.join("/", Arrays.copyOfRange(segments, i, segments.length))
                        + (query.isEmpty() ? "" : "&" + query);
                break;
            }
        }
        if (identityEnd < 2 || identityEnd > 3 || segments[0].isEmpty() || segments[1].isEmpty()) {
            return Optional.empty();
        }
        String moduleId = (identityEnd == 3 && !segments[2].isEmpty()) ? segments[2] : null;
        return Optional.of(new MqttUsername(segments[0], segments[1], moduleId,
                new LinkedHashMap<>(PropertyBag.decode(query))));
    }

    /** The client id that must go with this username. */
    public String clientId() {
        return clientId(this.deviceId, this.moduleId);
    }

    /** The IoT Plug and Play model id, or {@code null}. */
    public @Nullable String modelId() {
        return this.parameters.get("model-id");
    }
}
