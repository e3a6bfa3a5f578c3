package dev.iothub.emulator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;

import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection rules a well-behaved client never exercises, tested with hand-written packets on a TLS socket and in
 * WebSocket frames.
 */
class RawMqttConnectionTests {

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().device("raw-device").start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenNoPacketArrivesWithinOneAndAHalfKeepAlivesThenTheHubCloses(DeviceEndpoint endpoint) throws IOException {
        try (DeviceSocket socket = DeviceSocket.open(hub, endpoint)) {
            socket.out().write(connect("raw-device", 1, token("raw-device")));
            InputStream in = socket.in();
            byte[] connAck = in.readNBytes(4);
            assertThat(connAck).containsExactly(0x20, 0x02, 0x00, 0x00);
            Instant start = Instant.now();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenTheFirstPacketIsNotConnectThenTheHubCloses(DeviceEndpoint endpoint) throws IOException {
        try (DeviceSocket socket = DeviceSocket.open(hub, endpoint)) {
            socket.out().write(new byte[] { (byte) 0xC0, 0x00 });
            assertThat(socket.in().read()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @EnumSource(DeviceEndpoint.class)
    void whenTheProtocolIsMqtt31ThenConnackRefusesTheVersion(DeviceEndpoint endpoint) throws IOException {
        try (DeviceSocket socket = DeviceSocket.open(hub, endpoint)) {
            byte[] packet = connect("raw-device", 60, token("raw-device"));
            byte[] legacy = legacyConnect(packet);
            socket.out().write(legacy);
            byte[] connAck = socket.in().readNBytes(4);
            assertThat(connAck).containsExactly(0x20, 0x02, 0x00, 0x01);
            assertThat(socket.in().read()).isEqualTo(-1);
        }
    }

    private static String token(String deviceId) {
        return SasToken.create(hub.hubName(), deviceId, null, hub.device(deviceId).primaryKey(),
                Instant.now().plusSeconds(300)).text();
    }

    private static byte[] connect(String clientId, int keepAliveSeconds, String password) {
        return MqttPackets.connect(clientId, MqttUsername.format(hub.hubName(), clientId, null, null),
                keepAliveSeconds, password);
    }

    /** Rewrites a 3.1.1 CONNECT as MQTT 3.1 ("MQIsdp", level 3). */
    private static byte[] legacyConnect(byte[] connect311) throws IOException {
        byte[] body = java.util.Arrays.copyOfRange(connect311, headerLength(connect311), connect311.length);
        ByteArrayOutputStream variable = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(variable);
        out.writeUTF("MQIsdp");
        out.writeByte(3);
        out.write(body, 7, body.length - 7);
        return MqttPackets.packet(0x10, variable.toByteArray());
    }

    private static int headerLength(byte[] packet) {
        int index = 1;
        while ((packet[index] & 0x80) != 0) {
            index++;
        }
        return index + 1;
    }

}
