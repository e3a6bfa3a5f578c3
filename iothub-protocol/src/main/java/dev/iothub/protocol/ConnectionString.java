package dev.iothub.protocol;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A device or module connection string:
 * {@code HostName=..;DeviceId=..[;ModuleId=..](;SharedAccessKey=..|;SharedAccessSignature=..|;x509=true)[;GatewayHostName=..]}.
 * <p>
 * Keys are matched without case and unknown keys are ignored, as the official SDKs do. {@link #toString()} never
 * reveals the key or the signature.
 *
 * @param hostName the IoT Hub host name (also the host in the MQTT username and the SAS scope)
 * @param deviceId the device id
 * @param moduleId the module id, or {@code null} for a device identity
 * @param sharedAccessKey the device or module key (Base64), or {@code null}
 * @param sharedAccessSignature a pre-built SAS token, or {@code null}
 * @param gatewayHostName the host to open the socket to (IoT Edge), or {@code null}
 * @param x509 whether the identity authenticates with an X.509 client certificate
 */
public record ConnectionString(String hostName, String deviceId, @Nullable String moduleId,
        @Nullable String sharedAccessKey, @Nullable String sharedAccessSignature, @Nullable String gatewayHostName,
        boolean x509) {

    /**
     * Parses a connection string.
     *
     * @throws IllegalArgumentException naming what is missing or contradictory; the message never contains a secret
     */
    public static ConnectionString parse(@Nullable String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("The connection string is empty");
        }
        String hostName = null;
        String deviceId = null;
        String moduleId = null;
        String key = null;
        String signature = null;
        String gateway = null;
        boolean x509 = false;
        for (String attribute : text.trim().split(";")) {
            int equals = attribute.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = attribute.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            String value = attribute.substring(equals + 1).trim();
            switch (name) {
                case "hostname" -> hostName = value;
                case "deviceid" -> deviceId = UrlEncoding.decode(value);
                case "moduleid" -> moduleId = value;
                case "sharedaccesskey" -> key = value;
                case "sharedaccesssignature" -> signature = value;
                case "gatewayhostname" -> gateway = value;
                case "x509" -> x509 = Boolean.parseBoolean(value);
                default -> {
                }
            }
        }
        ConnectionString parsed = new ConnectionString(hostName, deviceId, emptyToNull(moduleId), emptyToNull(key),
                emptyToNull(signature), emptyToNull(gateway), x509);
        parsed.validate();
        return parsed;
    }

    /** A connection string for a device or module with a symmetric key. */
    public static ConnectionString ofKey(String hostName, String deviceId, @Nullable String moduleId,
            String sharedAccessKey) {
        ConnectionString connectionString = new ConnectionString(hostName, deviceId, moduleId, sharedAccessKey, null,
                null, false);
        connectionString.validate();
        return connectionString;
    }

    /**
     * Checks that the host name, the device id and exactly one credential are present.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public void validate() {
        if (isBlank(this.hostName)) {
            throw new IllegalArgumentException("The connection string has no HostName");
        }
        if (isBlank(this.deviceId)) {
            throw new IllegalArgumentException("The connection string has no DeviceId");
        }
        int credentials = (this.sharedAccessKey != null ? 1 : 0) + (this.sharedAccessSignature != null ? 1 : 0)
                + (this.x509 ? 1 : 0);
        if (credentials == 0) {
            throw new IllegalArgumentException(
                    "The connection string needs one of SharedAccessKey, SharedAccessSignature or x509=true");
        }
        if (credentials > 1) {
            throw new IllegalArgumentException(
                    "The connection string may have only one of SharedAccessKey, SharedAccessSignature or x509=true");
        }
    }

    /** The MQTT client id: {@code deviceId} or {@code deviceId/moduleId}. */
    public String clientId() {
        return MqttUsername.clientId(this.deviceId, this.moduleId);
    }

    /** The connection string as text, secrets included: for handing to a client, never for logging. */
    public String format() {
        StringBuilder text = new StringBuilder("HostName=").append(this.hostName)
                .append(";DeviceId=").append(this.deviceId);
        if (this.moduleId != null) {
            text.append(";ModuleId=").append(this.moduleId);
        }
        if (this.sharedAccessKey != null) {
            text.append(";SharedAccessKey=").append(this.sharedAccessKey);
        }
        if (this.sharedAccessSignature != null) {
            text.append(";SharedAccessSignature=").append(this.sharedAccessSignature);
        }
        if (this.x509) {
            text.append(";x509=true");
        }
        if (this.gatewayHostName != null) {
            text.append(";GatewayHostName=").append(this.gatewayHostName);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        String credential = (this.sharedAccessKey != null) ? "SharedAccessKey=****"
                : (this.sharedAccessSignature != null) ? "SharedAccessSignature=****" : "x509=true";
        return "HostName=" + this.hostName + ";DeviceId=" + this.deviceId
                + ((this.moduleId != null) ? ";ModuleId=" + this.moduleId : "") + ";" + credential
                + ((this.gatewayHostName != null) ? ";GatewayHostName=" + this.gatewayHostName : "");
    }

    private static boolean isBlank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return isBlank(value) ? null : value;
    }
}
