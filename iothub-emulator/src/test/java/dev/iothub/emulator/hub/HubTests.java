package dev.iothub.emulator.hub;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.MethodResult;
import dev.iothub.protocol.SubscriptionFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The hub's services seen through {@link Hub} with recording links instead of connections: fast and exact.
 */
class HubTests {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    private final Hub hub = new Hub(this.scheduler, Clock.systemUTC());

    @AfterEach
    void stopScheduler() {
        this.scheduler.shutdownNow();
    }

    private static QueuedMessage message(String id) {
        return new QueuedMessage(id, id.getBytes(StandardCharsets.UTF_8), Map.of("$.mid", id));
    }

    @Nested
    class Connections {

        @Test
        void whenASecondLinkAttachesThenTheFirstIsClosedAndItsEndDoesNotDisconnectTheSecond() {
            hub.register("d1", null, null);
            RecordingLink first = new RecordingLink();
            RecordingLink second = new RecordingLink();
            hub.attach("d1", first, null, "sas");
            hub.attach("d1", second, null, "sas");
            assertThat(first.closed).containsExactly("a new connection for the same identity arrived");
            hub.detach("d1", first);
            assertThat(hub.isConnected("d1")).isTrue();
            hub.detach("d1", second);
            assertThat(hub.isConnected("d1")).isFalse();
        }

        @Test
        void whenADeviceIsRemovedThenItsAndItsModulesLinksAreClosed() {
            hub.register("d2", null, null);
            hub.register("d2", "m1", null);
            RecordingLink device = new RecordingLink();
            RecordingLink module = new RecordingLink();
            hub.attach("d2", device, null, "sas");
            hub.attach("d2/m1", module, null, "sas");
            assertThat(hub.remove("d2")).containsExactlyInAnyOrder("d2", "d2/m1");
            assertThat(device.closed).containsExactly("identity deleted");
            assertThat(module.closed).containsExactly("identity deleted");
            assertThat(hub.find("d2/m1")).isEmpty();
        }
    }

    @Nested
    class CloudToDevice {

        @Test
        void whenQueuedBeforeTheLinkSubscribesThenItIsDeliveredOnceItDoes() {
            hub.register("c1", null, null);
            RecordingLink link = new RecordingLink();
            hub.attach("c1", link, null, "sas");
            hub.sendCloudToDevice("c1", message("m1"));
            assertThat(link.delivered).isEmpty();
            link.subscriptions.add(SubscriptionFilter.CLOUD_TO_DEVICE);
            hub.deliverCloudToDevice("c1", link);
            assertThat(link.delivered).extracting(QueuedMessage::messageId).containsExactly("m1");
        }

        @Test
        void whenALinkEndsWithAMessageInFlightThenTheNextLinkGetsItAgainUntilAcknowledged() {
            hub.register("c2", null, null);
            RecordingLink first = new RecordingLink(SubscriptionFilter.CLOUD_TO_DEVICE);
            hub.attach("c2", first, null, "sas");
            hub.sendCloudToDevice("c2", message("m2"));
            hub.detach("c2", first);
            RecordingLink second = new RecordingLink(SubscriptionFilter.CLOUD_TO_DEVICE);
            hub.attach("c2", second, null, "sas");
            hub.deliverCloudToDevice("c2", second);
            assertThat(second.delivered).extracting(QueuedMessage::messageId).containsExactly("m2");
            hub.cloudToDeviceAcknowledged("c2", second.delivered.get(0));
            assertThat(hub.pendingCloudToDevice("c2")).isZero();
        }

        @Test
        void whenAReplacedLinkAsksForDeliveriesThenItGetsNone() {
            hub.register("c3", null, null);
            RecordingLink replaced = new RecordingLink(SubscriptionFilter.CLOUD_TO_DEVICE);
            hub.attach("c3", replaced, null, "sas");
            hub.attach("c3", new RecordingLink(), null, "sas");
            hub.sendCloudToDevice("c3", message("m3"));
            hub.deliverCloudToDevice("c3", replaced);
            assertThat(replaced.delivered).isEmpty();
        }

        @Test
        void whenTheQueueHolds50ThenTheNextFailsWith403004() {
            hub.register("c4", null, null);
            for (int i = 0; i < CloudToDeviceQueue.MAX_DEPTH; i++) {
                hub.sendCloudToDevice("c4", message("m" + i));
            }
            assertThatExceptionOfType(IotHubServiceException.class)
                .isThrownBy(() -> hub.sendCloudToDevice("c4", message("one-too-many")))
                .satisfies((ex) -> assertThat(ex.getErrorCode())
                    .isEqualTo(IotHubServiceException.QUEUE_DEPTH_EXCEEDED));
        }
    }

    @Nested
    class HubEvents {

        @Test
        void whenDesiredPropertiesChangeThenOnlyASubscribedLinkHearsOfItWithTheNewVersion() {
            hub.register("e1", null, null);
            RecordingLink link = new RecordingLink();
            hub.attach("e1", link, null, "sas");
            hub.patchDesired("e1", Map.of("a", 1));
            assertThat(link.events).isEmpty();
            link.subscriptions.add(SubscriptionFilter.DESIRED_PROPERTIES);
            hub.patchDesired("e1", Map.of("b", 2));
            assertThat(link.events).containsExactly("desired 3 {\"b\":2,\"$version\":3}");
        }

        @Test
        void whenAMethodIsInvokedThenTheLinkGetsTheRequestAndTheAnswerCompletesTheCall() {
            hub.register("e2", null, null);
            RecordingLink link = new RecordingLink(SubscriptionFilter.METHODS);
            hub.attach("e2", link, null, "sas");
            CompletableFuture<MethodResult> result = hub.invokeMethod("e2", "reset", "{}", Duration.ofSeconds(5));
            assertThat(link.events).containsExactly("method reset 1 {}");
            hub.methodResponse("e2", "1", 200, "\"done\"".getBytes(StandardCharsets.UTF_8));
            assertThat(result).isCompletedWithValueMatching((answer) -> answer.status() == 200
                    && "\"done\"".equals(answer.payload()));
        }
    }
}
