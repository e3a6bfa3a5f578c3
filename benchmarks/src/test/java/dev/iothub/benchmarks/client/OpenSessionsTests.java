package dev.iothub.benchmarks.client;

import java.util.ArrayList;
import java.util.List;

import dev.iothub.benchmarks.Deadline;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpenSessionsTests {

    private final List<String> events = new ArrayList<>();

    private final OpenSessions sessions = new OpenSessions();

    private static Target target(String name, String prefix) {
        return new Target(name, "127.0.0.1", 8883, "hub", prefix, "key", "pem");
    }

    private ClientSession get(Target target, int window) throws Exception {
        return this.sessions.get(new OpenSessions.Key(StackKind.PAHO, target, window, 1), (key) -> {
            String id = key.target().name() + "/" + key.target().devicePrefix() + "/w" + key.window();
            this.events.add("open " + id);
            return new ClientSession() {
                @Override
                public void send(int messages, Deadline deadline) {
                }

                @Override
                public void close() {
                    OpenSessionsTests.this.events.add("close " + id);
                }
            };
        });
    }

    @Test
    void roundsAlternatingBetweenTwoBrokersConnectOncePerBroker() throws Exception {
        Target emulator = target("emulator", "paho-");
        Target mosquitto = target("mosquitto", "paho-");
        for (int round = 0; round < 3; round++) {
            get(emulator, 1000);
            get(mosquitto, 1000);
        }
        assertThat(this.events).containsExactly("open emulator/paho-/w1000", "open mosquitto/paho-/w1000");
    }

    @Test
    void theSameDevicesAreNeverConnectedTwice() throws Exception {
        Target emulator = target("emulator", "paho-");
        get(emulator, 100);
        get(emulator, 1000);
        assertThat(this.events).containsExactly("open emulator/paho-/w100", "close emulator/paho-/w100",
                "open emulator/paho-/w1000");
    }

    @Test
    void aFourthTargetClosesTheLeastRecentlyUsedSession() throws Exception {
        get(target("emulator", "a-"), 10);
        get(target("emulator", "b-"), 10);
        get(target("emulator", "c-"), 10);
        get(target("emulator", "a-"), 10);
        get(target("emulator", "d-"), 10);
        this.sessions.closeAll();
        assertThat(this.events).containsExactly("open emulator/a-/w10", "open emulator/b-/w10",
                "open emulator/c-/w10", "close emulator/b-/w10", "open emulator/d-/w10", "close emulator/c-/w10",
                "close emulator/a-/w10", "close emulator/d-/w10");
    }

}
