package dev.iothub.emulator.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The standalone emulator's command-line options, parsed without side effects.
 *
 * @param mqttPort the device (MQTT over TLS) port; 0 picks a free one
 * @param webSocketPort the device MQTT-over-WebSocket port; 0 picks a free one, -1 turns the endpoint off. The
 * default is {@value #DEFAULT_WEB_SOCKET_PORT}, not IoT Hub's 443: binding 443 needs root or
 * {@code CAP_NET_BIND_SERVICE}, and the starter takes any port; the official SDKs connect to 443 only, so run them
 * against {@code --ws-port 443}
 * @param servicePort the service REST API port; 0 picks a free one
 * @param serviceHttpsPort the service API's HTTPS port; 0 picks a free one, -1 turns it off (the default)
 * @param serviceAuthentication {@code required} or {@code optional} for the plain HTTP port, or {@code null} for
 * the emulator's default (required unless bound to a loopback address)
 * @param serviceKey the Base64 key of the {@code iothubowner} policy, or {@code null} for a generated one
 * @param devices the devices to register, by id, with their primary key or {@code null} for a generated one
 * @param caOut where to write the CA certificate PEM, or {@code null}
 * @param hubName the host name used in connection strings
 * @param bindAddress the address to listen on
 * @param tlsNames extra host names or IP addresses for the certificate, e.g. the host of a container's published port
 * @param help whether {@code --help} was given
 * @param dpsIdScope the ID scope of the Device Provisioning Service on the device ports
 * @param enrollments the individual symmetric-key enrollments, by registration id, with their key or {@code null}
 * @param enrollmentGroups the symmetric-key enrollment groups, by id, with their key or {@code null}
 */
public record EmulatorOptions(int mqttPort, int webSocketPort, int servicePort, int serviceHttpsPort,
        @Nullable String serviceAuthentication, @Nullable String serviceKey, Map<String, @Nullable String> devices,
        @Nullable Path caOut, String hubName, String bindAddress, List<String> tlsNames, boolean help,
        String dpsIdScope, Map<String, @Nullable String> enrollments, Map<String, @Nullable String> enrollmentGroups) {

    /** The usage text. */
    public static final String USAGE = """
            Usage: java -jar iothub-emulator.jar [options]

            A local Azure IoT Hub: devices connect with MQTT over TLS or MQTT over WebSocket, back ends use the
            service REST API.

            Options:
              --mqtt-port PORT     device port, MQTT over TLS (default 8883; 0 picks a free port)
              --ws-port PORT       device port, MQTT over WebSocket at wss://HOST:PORT/$iothub/websocket
                                   (default 8443; 0 picks a free port, -1 turns it off). IoT Hub uses 443,
                                   which only root (or CAP_NET_BIND_SERVICE) may bind, hence 8443; the
                                   official SDKs connect to 443 only: give them --ws-port 443
              --service-port PORT  service REST API port, plain HTTP (default 8080; 0 picks a free port)
              --service-https-port PORT
                                   service API over HTTPS with the emulator's certificate, always
                                   authenticated (default -1: off; 0 picks a free port). The official
                                   service SDKs connect to 443: give them --service-https-port 443
              --service-auth required|optional
                                   whether the plain HTTP port requires a service SAS token (default:
                                   optional on a loopback --bind, required otherwise)
              --service-key KEY    Base64 key of the iothubowner policy (default: a random one); the
                                   service connection string is printed at start
              --device ID[:KEY]    register a device, with a Base64 primary key or a generated one;
                                   repeatable (default: one device device-1)
              --ca-out FILE        write the emulator's CA certificate (PEM) to FILE
              --hub-name HOST      host name used in connection strings and the certificate (default localhost)
              --bind ADDRESS       address to listen on (default 127.0.0.1)
              --tls-san NAME       also put host name or IP address NAME in the certificate; repeatable
              --dps-id-scope SCOPE the ID scope of the Device Provisioning Service that shares the device
                                   ports (default 0ne00000000); its global endpoint is HOST:MQTT-PORT
              --enrollment ID[:KEY]
                                   enroll a registration id (individual enrollment, symmetric key), with a
                                   Base64 key or a generated one; repeatable
              --enrollment-group ID[:KEY]
                                   add a symmetric-key enrollment group; repeatable
              --help               print this help

            Environment (read by the command before its options):
              IOTHUB_EMULATOR_DEVICES   devices as ID[:KEY], separated by commas, like --device
              IOTHUB_EMULATOR_TLS_SANS  certificate names, separated by commas, like --tls-san
              IOTHUB_EMULATOR_SERVICE_KEY  the iothubowner key, like --service-key
            """;

    /** The MQTT-over-WebSocket port when no {@code --ws-port} is given; see {@link #webSocketPort()} for why. */
    public static final int DEFAULT_WEB_SOCKET_PORT = 8443;

    /** The DPS ID scope when no {@code --dps-id-scope} is given. */
    public static final String DEFAULT_DPS_ID_SCOPE = "0ne00000000";

    /** The device registered when no {@code --device} is given. */
    public static final String DEFAULT_DEVICE = "device-1";

    private static final Set<String> VALUE_OPTIONS = Set.of("--mqtt-port", "--ws-port", "--service-port",
            "--service-https-port", "--service-auth", "--service-key", "--device", "--ca-out", "--hub-name", "--bind",
            "--tls-san", "--dps-id-scope", "--enrollment", "--enrollment-group");

    /**
     * Parses command-line arguments; options take their value as the next argument or after {@code =}.
     *
     * @throws UsageException when an argument is unknown, a value is missing or invalid
     */
    public static EmulatorOptions parse(String... args) {
        int mqttPort = 8883;
        int webSocketPort = DEFAULT_WEB_SOCKET_PORT;
        int servicePort = 8080;
        int serviceHttpsPort = -1;
        String serviceAuthentication = null;
        String serviceKey = null;
        Map<String, @Nullable String> devices = new LinkedHashMap<>();
        Path caOut = null;
        String hubName = "localhost";
        String bindAddress = "127.0.0.1";
        List<String> tlsNames = new ArrayList<>();
        boolean help = false;
        String dpsIdScope = DEFAULT_DPS_ID_SCOPE;
        Map<String, @Nullable String> enrollments = new LinkedHashMap<>();
        Map<String, @Nullable String> enrollmentGroups = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String value = null;
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            if (option.equals("--help") || option.equals("-h")) {
                help = true;
                continue;
            }
            if (!VALUE_OPTIONS.contains(option)) {
                throw new UsageException(option.startsWith("-") ? "Unknown option: " + option
                        : "Unexpected argument: " + option);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("Missing value for " + option);
                }
                value = args[++i];
            }
            switch (option) {
                case "--mqtt-port" -> mqttPort = port(option, value, "");
                case "--ws-port" -> webSocketPort = value.equals("-1") ? -1 : port(option, value, " (or -1 for off)");
                case "--service-port" -> servicePort = port(option, value, "");
                case "--service-https-port" -> serviceHttpsPort = value.equals("-1") ? -1
                        : port(option, value, " (or -1 for off)");
                case "--service-auth" -> serviceAuthentication = oneOf(option, value, "required", "optional");
                case "--service-key" -> serviceKey = base64(option, value);
                case "--device" -> addDevice(devices, value);
                case "--ca-out" -> caOut = Path.of(nonEmpty(option, value));
                case "--hub-name" -> hubName = nonEmpty(option, value);
                case "--bind" -> bindAddress = nonEmpty(option, value);
                case "--tls-san" -> tlsNames.add(nonEmpty(option, value));
                case "--dps-id-scope" -> dpsIdScope = idScope(value);
                case "--enrollment" -> addKeyed(enrollments, option, "Enrollment", value);
                case "--enrollment-group" -> addKeyed(enrollmentGroups, option, "Enrollment group", value);
                default -> throw new IllegalStateException("Option without a case: " + option);
            }
        }
        if (devices.isEmpty()) {
            devices.put(DEFAULT_DEVICE, null);
        }
        return new EmulatorOptions(mqttPort, webSocketPort, servicePort, serviceHttpsPort, serviceAuthentication,
                serviceKey, Collections.unmodifiableMap(devices), caOut, hubName, bindAddress, List.copyOf(tlsNames),
                help, dpsIdScope, Collections.unmodifiableMap(enrollments), Collections.unmodifiableMap(enrollmentGroups));
    }

    private static int port(String option, String value, String alternative) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        }
        catch (NumberFormatException ex) {
            // reported below
        }
        throw new UsageException(option + " needs a port number from 0 to 65535" + alternative + ", not '" + value
                + "'");
    }

    private static void addDevice(Map<String, @Nullable String> devices, String value) {
        int colon = value.indexOf(':');
        String deviceId = (colon >= 0) ? value.substring(0, colon) : value;
        String key = (colon >= 0) ? value.substring(colon + 1) : null;
        if (deviceId.isEmpty() || deviceId.contains("/")) {
            throw new UsageException("--device needs an id without '/', as ID or ID:KEY, not '" + value + "'");
        }
        if (key != null && !isBase64(key)) {
            throw new UsageException("The key of device " + deviceId + " must be Base64");
        }
        if (devices.containsKey(deviceId)) {
            throw new UsageException("Device " + deviceId + " is given twice");
        }
        devices.put(deviceId, key);
    }

    private static String idScope(String value) {
        if (value.isBlank() || value.contains("/")) {
            throw new UsageException("--dps-id-scope needs a scope without '/', not '" + value + "'");
        }
        return value;
    }

    private static String oneOf(String option, String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            throw new UsageException(option + " needs one of " + String.join(", ", allowed) + ", not '" + value + "'");
        }
        return value;
    }

    private static void addKeyed(Map<String, @Nullable String> entries, String option, String what, String value) {
        int colon = value.indexOf(':');
        String id = (colon >= 0) ? value.substring(0, colon) : value;
        String key = (colon >= 0) ? value.substring(colon + 1) : null;
        if (id.isEmpty() || id.contains("/")) {
            throw new UsageException(option + " needs an id without '/', as ID or ID:KEY, not '" + value + "'");
        }
        if (key != null && !isBase64(key)) {
            throw new UsageException("The key of " + what.toLowerCase(Locale.ROOT) + " " + id
                    + " must be Base64");
        }
        if (entries.containsKey(id)) {
            throw new UsageException(what + " " + id + " is given twice");
        }
        entries.put(id, key);
    }

    private static String base64(String option, String value) {
        if (!isBase64(value)) {
            throw new UsageException(option + " needs a Base64 key");
        }
        return value;
    }

    private static boolean isBase64(String key) {
        try {
            return !key.isEmpty() && Base64.getDecoder().decode(key).length > 0;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static String nonEmpty(String option, String value) {
        if (value.isBlank()) {
            throw new UsageException(option + " needs a value");
        }
        return value;
    }

    /** The arguments cannot be parsed; the message says why, to print above the usage. */
    public static final class UsageException extends IllegalArgumentException {

        UsageException(String message) {
            super(message);
        }
    }
}
