package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.iothub.protocol.Topics;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The emulator's fault-injection hooks make it misbehave the way a broken or hostile hub would.
 */
class FaultInjectionTests {

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    @Test
    void rawPublishReachesTheDeviceWhateverItsTopicAndCompletesOnItsAcknowledgement() throws Exception {
        hub.registerDevice("raw");
        try (PahoDevice device = new PahoDevice(hub, "raw").connect()) {
            device.subscribe("devices/raw/messages/devicebound/#", 1);
            CompletableFuture<Void> acknowledged = hub.publishRaw("raw", "devices/raw/messages/devicebound/%ZZ",
                    "poison".getBytes(StandardCharsets.UTF_8), 1);
            PahoDevice.Received received = device.next();
            assertThat(received.topic()).isEqualTo("devices/raw/messages/devicebound/%ZZ");
            assertThat(received.message().getQos()).isEqualTo(1);
            acknowledged.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void rawPublishToADisconnectedIdentityIsRefused() {
        hub.registerDevice("offline");
        assertThatExceptionOfType(IotHubServiceException.class)
            .isThrownBy(() -> hub.publishRaw("offline", "x", new byte[0], 0));
    }

    @Test
    void refusedSubscriptionIsAnsweredWith0x80AndTheOthersAreGranted() throws Exception {
        hub.registerDevice("refused");
        hub.refuseSubscription("refused", Topics.METHODS_FILTER);
        try (PahoDevice device = new PahoDevice(hub, "refused").connect()) {
            int[] granted = device.client()
                .subscribeWithResponse(new String[] { Topics.METHODS_FILTER, Topics.TWIN_RESPONSES_FILTER },
                        new int[] { 0, 0 })
                .getGrantedQos();
            assertThat(granted).containsExactly(0x80, 0);
        }
    }

    @Test
    void ignoredSubscriptionGetsNoSubackUntilTheFaultIsCleared() throws Exception {
        hub.registerDevice("ignored");
        hub.ignoreSubscriptions("ignored", true);
        try (PahoDevice device = new PahoDevice(hub, "ignored").connect()) {
            device.client().setTimeToWait(Duration.ofMillis(500).toMillis());
            assertThatExceptionOfType(MqttException.class)
                .isThrownBy(() -> device.subscribe(Topics.METHODS_FILTER, 0))
                .satisfies((ex) -> assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_CLIENT_TIMEOUT));
            hub.clearSubscriptionFaults("ignored");
            device.client().setTimeToWait(10_000);
            assertThat(device.subscribe(Topics.TWIN_RESPONSES_FILTER, 0)).isZero();
        }
    }

}
