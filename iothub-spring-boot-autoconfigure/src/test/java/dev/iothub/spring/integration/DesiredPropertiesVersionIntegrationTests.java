package dev.iothub.spring.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import dev.iothub.emulator.DeviceIdentity;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.annotation.DesiredPropertyListener;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import dev.iothub.spring.messaging.IotHubHeaders;
import dev.iothub.spring.twin.DeviceTwin;
import dev.iothub.spring.twin.IotHubTwinTemplate;
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
 * The {@code $version} rule of desired properties: every listener runs once per version, whether a version comes
 * back in a notification after the twin GET, in the GET after a reconnect or after a SAS renewal; and a twin whose
 * version went back (the device was re-created at the hub) is delivered, not ignored.
 * <p>
 * To know that a GET issued by the reconnection flow has been handled, a test reads the twin itself from a
 * connection listener registered after the flow's: its answer comes after the flow's, and the next notification
 * is handled after the flow's delivery.
 */
@ExtendWith(OutputCaptureExtension.class)
class DesiredPropertiesVersionIntegrationTests {

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

    private static ConfigurableApplicationContext start(String deviceId, String... properties) {
        return EmulatorApplications.runConnected(emulator, deviceId, new Class<?>[] { Listeners.class }, properties);
    }

    private static void replay(String deviceId, long version, String patch) {
        emulator.publishRaw(deviceId, "$iothub/twin/PATCH/properties/desired/?$version=" + version,
                patch.getBytes(StandardCharsets.UTF_8), 0).join();
    }

    /** Completes with a twin read after the reconnection flow's own read of the next connect. */
    private static AtomicReference<CompletableFuture<DeviceTwin>> readAfterTheFlow(
            ConfigurableApplicationContext context) {
        AtomicReference<CompletableFuture<DeviceTwin>> read = new AtomicReference<>();
        IotHubTwinTemplate twin = context.getBean(IotHubTwinTemplate.class);
        context.getBean(IotHubClientManager.class).addConnectionListener((reconnect, tokenRenewal) -> {
            if (read.get() == null) {
                read.set(twin.getTwin());
            }
        });
        return read;
    }

    @Test
    void whenANotificationRepeatsTheVersionOfTheTwinOrAnOlderOneThenNoListenerRunsAgain() {
        String deviceId = "replayed";
        emulator.registerDevice(deviceId);
        long initial = emulator.patchDesired(deviceId, Map.of("color", "red"));
        try (ConfigurableApplicationContext context = start(deviceId)) {
            Listeners listeners = context.getBean(Listeners.class);
            await().atMost(TIMEOUT).until(() -> listeners.versions.contains(initial));

            replay(deviceId, initial, "{\"color\":\"green\",\"$version\":" + initial + "}");
            replay(deviceId, initial - 1, "{\"color\":\"yellow\",\"$version\":" + (initial - 1) + "}");
            long next = emulator.patchDesired(deviceId, Map.of("color", "blue"));
            await().atMost(TIMEOUT).until(() -> listeners.versions.contains(next));
            replay(deviceId, next, "{\"color\":\"green\",\"$version\":" + next + "}");
            long last = emulator.patchDesired(deviceId, Map.of("size", 3));
            await().atMost(TIMEOUT).until(() -> listeners.versions.contains(last));

            assertThat(listeners.versions).containsExactly(initial, next, last);
            assertThat(listeners.colors).containsExactly("red", "blue");
        }
    }

    @Test
    void whenTheGetAfterAReconnectReturnsADeliveredVersionThenNoListenerRunsAgain() {
        String deviceId = "reconnected";
        emulator.registerDevice(deviceId);
        try (ConfigurableApplicationContext context = start(deviceId, "iothub.reconnect.initial-delay=100ms")) {
            assertListenersRunOncePerVersionAcrossTheNextConnect(context, deviceId, () -> emulator.disconnect(deviceId));
        }
    }

    @Test
    void whenTheSasTokenIsRenewedThenTheTwinIsReadAgainAndNoListenerRunsAgain() {
        String deviceId = "renewed";
        emulator.registerDevice(deviceId);
        try (ConfigurableApplicationContext context = start(deviceId, "iothub.sas.time-to-live=5s")) {
            assertListenersRunOncePerVersionAcrossTheNextConnect(context, deviceId, () -> {
            });
            assertThat(context.getBean(ConnectionEvents.class).renewals()).isPositive();
            assertThat(context.getBean(ConnectionEvents.class).of(IotHubDisconnectedEvent.class)).isEmpty();
        }
    }

    /**
     * Delivers a version, lets the next connect happen (caused by {@code reconnect}, or a renewal), waits until the
     * twin read by that connect's reconnection flow was handled, and checks the listeners did not run again.
     */
    private static void assertListenersRunOncePerVersionAcrossTheNextConnect(ConfigurableApplicationContext context,
            String deviceId, Runnable reconnect) {
        Listeners listeners = context.getBean(Listeners.class);
        long online = emulator.patchDesired(deviceId, Map.of("color", "red"));
        await().atMost(TIMEOUT).until(() -> listeners.versions.contains(online));
        AtomicReference<CompletableFuture<DeviceTwin>> read = readAfterTheFlow(context);

        reconnect.run();
        await().atMost(EmulatorApplications.awaitTimeout()).until(() -> read.get() != null);
        assertThat(read.get()).succeedsWithin(TIMEOUT).extracting(DeviceTwin::desiredVersion).isEqualTo(online);
        long next = emulator.patchDesired(deviceId, Map.of("color", "blue"));
        await().atMost(TIMEOUT).until(() -> listeners.versions.contains(next));

        assertThat(listeners.versions).containsExactly(1L, online, next);
        assertThat(listeners.colors).containsExactly("red", "blue");
    }

    @Test
    void whenTheDeviceIsRecreatedAtTheHubThenItsLowerVersionIsDeliveredAfterReconnecting(CapturedOutput output) {
        String deviceId = "recreated";
        DeviceIdentity identity = emulator.registerDevice(deviceId);
        try (ConfigurableApplicationContext context = start(deviceId, "iothub.reconnect.initial-delay=1s",
                "iothub.reconnect.jitter=0")) {
            Listeners listeners = context.getBean(Listeners.class);
            emulator.patchDesired(deviceId, Map.of("color", "red"));
            emulator.patchDesired(deviceId, Map.of("size", 1));
            long before = emulator.patchDesired(deviceId, Map.of("size", 2));
            await().atMost(TIMEOUT).until(() -> listeners.versions.contains(before));

            // re-created and patched well within the second before the device reconnects
            emulator.removeDevice(deviceId);
            emulator.registerDevice(deviceId, identity.primaryKey());
            long after = emulator.patchDesired(deviceId, Map.of("color", "blue"));
            assertThat(after).isLessThan(before);
            await().atMost(EmulatorApplications.awaitTimeout()).until(() -> listeners.colors.contains("blue"));

            assertThat(listeners.versions).endsWith(after);
            assertThat(listeners.colors).containsExactly("red", "blue");
            assertThat(output.getAll().lines().filter((line) -> line.contains(" INFO ")
                    && line.contains("went back from $version " + before + " to " + after))).hasSize(1);
            long next = emulator.patchDesired(deviceId, Map.of("color", "green"));
            await().atMost(TIMEOUT).until(() -> listeners.colors.contains("green"));
            assertThat(listeners.versions).endsWith(after, next);
        }
    }

    static class Listeners {

        final List<Long> versions = new CopyOnWriteArrayList<>();

        final List<String> colors = new CopyOnWriteArrayList<>();

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
