package dev.iothub.benchmarks.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import javax.net.ssl.SSLContext;

import dev.iothub.benchmarks.EmulatorTrust;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;

/**
 * Where a client stack connects: a broker (the emulator or Mosquitto) on a loopback address, over TLS.
 *
 * @param name {@code emulator} or {@code mosquitto}, for the results
 * @param host the address to connect to
 * @param port the MQTT over TLS port
 * @param hubName the hub name in user names, SAS tokens and connection strings (the emulator: {@code host})
 * @param devicePrefix connection {@code i} is device {@code devicePrefix + i}
 * @param key every device's primary key (Base64); Mosquitto ignores the credentials
 * @param caPem the PEM file of the certificate the broker presents
 */
public record Target(String name, String host, int port, String hubName, String devicePrefix, String key,
        String caPem) {

    /** The device of connection {@code index}. */
    public String deviceId(int index) {
        return this.devicePrefix + index;
    }

    /** The device-to-cloud topic of a device, without properties. */
    public String telemetryTopic(String deviceId) {
        return Topics.telemetry(deviceId, null, Map.of());
    }

    /** The MQTT user name IoT Hub expects. */
    public String userName(String deviceId) {
        return MqttUsername.format(this.hubName, deviceId, null, null);
    }

    /** A SAS token valid for a day. */
    public String password(String deviceId) {
        return SasToken.create(this.hubName, deviceId, null, this.key, Instant.now().plus(Duration.ofDays(1)))
            .text();
    }

    /** The device connection string the starter and the official SDK take. */
    public String connectionString(String deviceId) {
        return "HostName=" + this.hubName + ";DeviceId=" + deviceId + ";SharedAccessKey=" + this.key;
    }

    /** A client SSL context trusting exactly the broker's certificate. */
    public SSLContext sslContext() throws IOException, GeneralSecurityException {
        return EmulatorTrust.fromPem(Path.of(this.caPem));
    }

    /** The broker's certificate as PEM text. */
    public String caPemText() throws IOException {
        return Files.readString(Path.of(this.caPem));
    }
}
