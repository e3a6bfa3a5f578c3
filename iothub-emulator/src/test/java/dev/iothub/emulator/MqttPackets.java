package dev.iothub.emulator;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 packets written by hand, for tests that need a client no library would be: one that never reads, or
 * sends what a library refuses to.
 */
final class MqttPackets {

    private MqttPackets() {
    }

    /** A CONNECT with username and password, CleanSession=1. */
    static byte[] connect(String clientId, String username, int keepAliveSeconds, String password) {
        return packet(0x10, (out) -> {
            out.writeUTF("MQTT");
            out.writeByte(4);
            out.writeByte(0xC2);
            out.writeShort(keepAliveSeconds);
            out.writeUTF(clientId);
            out.writeUTF(username);
            byte[] secret = password.getBytes(StandardCharsets.UTF_8);
            out.writeShort(secret.length);
            out.write(secret);
        });
    }

    /** A SUBSCRIBE to one filter. */
    static byte[] subscribe(int packetId, String filter, int qos) {
        return packet(0x82, (out) -> {
            out.writeShort(packetId);
            out.writeUTF(filter);
            out.writeByte(qos);
        });
    }

    /** A QoS 0 PUBLISH. */
    static byte[] publish(String topic, byte[] payload) {
        return packet(0x30, (out) -> {
            out.writeUTF(topic);
            out.write(payload);
        });
    }

    /** A packet of the given first byte around the body the writer produces. */
    static byte[] packet(int type, BodyWriter body) {
        ByteArrayOutputStream variable = new ByteArrayOutputStream();
        try {
            body.write(new DataOutputStream(variable));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return packet(type, variable.toByteArray());
    }

    /** A packet of the given first byte around a body. */
    static byte[] packet(int type, byte[] body) {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(type);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            packet.write((length > 0) ? digit | 0x80 : digit);
        }
        while (length > 0);
        packet.writeBytes(body);
        return packet.toByteArray();
    }

    @FunctionalInterface
    interface BodyWriter {

        void write(DataOutputStream out) throws IOException;

    }
}
