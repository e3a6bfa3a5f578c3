package dev.iothub.spring.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.emulator.MethodResult;
import dev.iothub.spring.annotation.C2DHandler;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.annotation.DirectMethod;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.messaging.IotHubHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.handler.annotation.Header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub that sends what it should not: raw PUBLISH packets with broken escapes, foreign or misshapen topics,
 * desired patches that are not JSON objects. The device must log, drop or answer, and keep its connection.
 * Reconnecting is slowed down to 30 s so that a dropped connection cannot go unnoticed.
 */
@ExtendWith(OutputCaptureExtension.class)
class HostileHubIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    private static ConfigurableApplicationContext start(String deviceId) {
        emulator.registerDevice(deviceId);
        ConfigurableApplicationContext context = EmulatorApplications.runConnected(emulator, deviceId,
                new Class<?>[] { Device.class }, "iothub.reconnect.initial-delay=30s");
        Device device = context.getBean(Device.class);
        await().atMost(TIMEOUT).until(() -> !device.versions.isEmpty());
        return context;
    }

    private static void raw(String deviceId, String topic, String payload) {
        emulator.publishRaw(deviceId, topic, payload.getBytes(StandardCharsets.UTF_8), 0).join();
    }

    /** Publishes at QoS 1 and checks that the device acknowledged. */
    private static void rawAcknowledged(String deviceId, String topic, String payload) {
        assertThat(emulator.publishRaw(deviceId, topic, payload.getBytes(StandardCharsets.UTF_8), 1))
            .succeedsWithin(TIMEOUT);
    }

    private static void assertStillConnected(ConfigurableApplicationContext context, String deviceId) {
        assertThat(emulator.invokeMethod(deviceId, "ping", null, TIMEOUT)).isEqualTo(new MethodResult(200, null));
        assertThat(context.getBean(ConnectionEvents.class).of(IotHubDisconnectedEvent.class)).isEmpty();
        assertThat(emulator.isConnected(deviceId)).isTrue();
    }

    private static long warnings(CapturedOutput output, String text) {
        return output.getAll().lines().filter((line) -> line.contains(" WARN ") && line.contains(text)).count();
    }

    @Test
    void whenTopicsHoldBrokenPercentEscapesThenTheyAreDroppedAcknowledgedAndTheConnectionStays(CapturedOutput output) {
        String deviceId = "bad-escapes";
        try (ConfigurableApplicationContext context = start(deviceId)) {
            Device device = context.getBean(Device.class);
            raw(deviceId, "$iothub/methods/POST/ping/?$rid=%ZZ", "{}");
            raw(deviceId, "$iothub/twin/res/200/?$rid=%", "");
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=%2", "{\"color\":\"red\"}");
            rawAcknowledged(deviceId, "devices/" + deviceId + "/messages/devicebound/%24.mid=m1&note=100%", "poison");
            rawAcknowledged(deviceId, "devices/" + deviceId + "/messages/devicebound/%24.mid=m2&note=100%", "poison");

            emulator.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("after the poison"));
            await().atMost(TIMEOUT).until(() -> device.messages.contains("after the poison"));
            assertThat(device.messages).containsExactly("after the poison");
            assertThat(device.colors).isEmpty();
            assertStillConnected(context, deviceId);
            assertThat(warnings(output, "devicebound/%24.mid=m1&note=100%")).isOne();
            assertThat(warnings(output, "devicebound/%24.mid=m2")).isZero();
            assertThat(warnings(output, "$rid=%ZZ")).isOne();
            assertThat(warnings(output, "$iothub/twin/res/200/?$rid=%")).isOne();
            assertThat(warnings(output, "$version=%2")).isOne();
        }
    }

    @Test
    void whenTopicsNameAnotherIdentityOrHaveTheWrongShapeThenNoHandlerRuns(CapturedOutput output) {
        String deviceId = "strict-topics";
        try (ConfigurableApplicationContext context = start(deviceId)) {
            Device device = context.getBean(Device.class);
            rawAcknowledged(deviceId, "devices/other/messages/devicebound/%24.mid=foreign", "for another device");
            rawAcknowledged(deviceId, "devices/" + deviceId + "/modules/m/messages/devicebound/", "for a module");
            raw(deviceId, "$iothub/methods/POST/get/Max/?$rid=7", "{}");
            raw(deviceId, "$iothub/methods/POST/get?$rid=8", "{}");
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/extra/?$version=1000", "{\"color\":\"red\"}");

            emulator.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("mine"));
            await().atMost(TIMEOUT).until(() -> device.messages.contains("mine"));
            assertThat(device.messages).containsExactly("mine");
            assertThat(emulator.invokeMethod(deviceId, "get", null, TIMEOUT)).isEqualTo(new MethodResult(200, "1"));
            long version = emulator.patchDesired(deviceId, Map.of("color", "blue"));
            await().atMost(TIMEOUT).until(() -> device.versions.contains(version));
            assertThat(device.colors).containsExactly("blue");
            assertStillConnected(context, deviceId);
            assertThat(warnings(output, "devices/other/messages/devicebound/")).isOne();
            assertThat(warnings(output, "$iothub/methods/POST/get/Max/")).isOne();
            assertThat(warnings(output, "desired/extra/")).isOne();
        }
    }

    @Test
    void whenADesiredPatchIsNotAJsonObjectThenItIsRejectedOnceAndLaterPatchesArrive(CapturedOutput output) {
        String deviceId = "bad-patches";
        try (ConfigurableApplicationContext context = start(deviceId)) {
            Device device = context.getBean(Device.class);
            String huge = "[" + "7,".repeat(300_000) + "7]";
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=1000", huge);
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=1001", "null");
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=1002", "");
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=1003", "{\"color\":");
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=1004", "{\"color\":\"red\",\"$version\":5}");

            long version = emulator.patchDesired(deviceId, Map.of("color", "blue"));
            await().atMost(TIMEOUT).until(() -> device.versions.contains(version));
            assertThat(device.colors).containsExactly("blue");
            assertThat(device.versions).containsExactly(1L, version);
            assertThat(output.getAll()).doesNotContain("ClassCastException").doesNotContain("7,".repeat(150));
            assertThat(warnings(output, "($version 1000)")).isOne();
            assertThat(warnings(output, "($version 1001)")).as("same reason, same burst").isZero();
            assertThat(warnings(output, "($version 1003)")).isOne();
            assertThat(warnings(output, "($version 1004)")).isOne();

            long unconvertible = version + 1;
            raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=" + unconvertible,
                    "{\"color\":{\"shade\":\"" + "y".repeat(1_000_000) + "\"},\"$version\":" + unconvertible + "}");
            await().atMost(TIMEOUT)
                .until(() -> output.getAll().contains("handler failed on $version " + unconvertible));
            assertThat(output.getAll()).doesNotContain("y".repeat(300));
            assertStillConnected(context, deviceId);
        }
    }

    @Test
    void whenTheHubSendsWhatCannotBeUsedThenEachKindIsLoggedOnceAtWarn(CapturedOutput output) {
        String deviceId = "silent-drops";
        try (ConfigurableApplicationContext context = start(deviceId)) {
            Device device = context.getBean(Device.class);
            for (int i = 0; i < 3; i++) {
                raw(deviceId, "$iothub/methods/POST/ping/", "{}");
                raw(deviceId, "$iothub/twin/PATCH/properties/desired/", "{\"color\":\"red\"}");
                raw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=9e18", "{\"color\":\"red\"}");
                raw(deviceId, "$iothub/twin/res/200/?$rid=nobody-asked-" + i, "{}");
                raw(deviceId, "$iothub/twin/res/abc/?$rid=x" + i, "{}");
            }
            long version = emulator.patchDesired(deviceId, Map.of("color", "blue"));
            await().atMost(TIMEOUT).until(() -> device.versions.contains(version));
            assertThat(device.colors).containsExactly("blue");
            assertStillConnected(context, deviceId);
            assertThat(warnings(output, "(topic $iothub/methods/POST/ping/)")).isOne();
            assertThat(warnings(output, "(topic $iothub/twin/PATCH/properties/desired/)")).isOne();
            assertThat(warnings(output, "?$version=9e18)")).isOne();
            assertThat(warnings(output, "$rid=nobody-asked-")).isOne();
            assertThat(warnings(output, "(topic $iothub/twin/res/abc/")).isOne();
        }
    }

    static class Device {

        final List<String> messages = new CopyOnWriteArrayList<>();

        final AtomicInteger gets = new AtomicInteger();

        final List<Long> versions = new CopyOnWriteArrayList<>();

        final List<String> colors = new CopyOnWriteArrayList<>();

        @DirectMethod("ping")
        void ping() {
        }

        @DirectMethod("get")
        int get() {
            return this.gets.incrementAndGet();
        }

        @C2DHandler
        void onMessage(String body) {
            this.messages.add(body);
        }

        @DesiredPropertyListener
        void onPatch(Map<String, Object> patch, @Header(IotHubHeaders.TWIN_VERSION) long version) {
            this.versions.add(version);
        }

        @DesiredPropertyListener("color")
        void onColor(String color) {
            this.colors.add(color);
        }

    }

}
