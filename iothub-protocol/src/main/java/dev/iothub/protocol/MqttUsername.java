package dev.iothub.protocol;

/**
 * The MQTT CONNECT username of a device or module:
 * {@code {hostName}/{deviceId}[/{moduleId}]/?api-version=2021-04-12[&model-id=..][&DeviceClientType=..]}.
 */
public final class MqttUsername {

    /** The api-version the current IoT Hub documentation asks devices to send. */
    public static final String API_VERSION = "2021-04-12";

    private MqttUsername() {
    }

    /**
     * Formats a username.
     *
     * @param hostName the IoT Hub host name (never the gateway)
     * @param deviceId the device id
     * @param moduleId the module id, or {@code null}
     * @param modelId the IoT Plug and Play model id, or {@code null}
     * @param clientType a product identifier for the hub's diagnostics, or {@code null}
     */
    public static String format(String hostName, String deviceId, String moduleId, String modelId,
            String clientType) {
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
}
