package dev.iothub.spring.inbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cloud-to-device delivery without a connection: which handler gets which message, and when each message is
 * completed.
 */
class CloudToDeviceDispatcherTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final InboundExecutor executor = new InboundExecutor("test-c2d-", 1, 100);

    private final CloudToDeviceDispatcher dispatcher = new CloudToDeviceDispatcher(this.executor,
            new RateLimitedWarnings(LogFactory.getLog(getClass()), Duration.ofMinutes(1), System::nanoTime,
                    (task, delay) -> false));

    private final List<String> completed = new CopyOnWriteArrayList<>();

    private final List<String> received = new CopyOnWriteArrayList<>();

    CloudToDeviceDispatcherTests() {
        this.executor.start();
    }

    @AfterEach
    void stop() {
        settle();
        assertThat(this.completed).as("each message completed at most once").doesNotHaveDuplicates();
        this.executor.beginStop();
        this.executor.awaitStopped(TIMEOUT);
    }

    private void arrive(String messageId) {
        CloudToDeviceMessage message = new CloudToDeviceMessage("devices/dev1/messages/devicebound/",
                messageId.getBytes(StandardCharsets.UTF_8), Map.of("$.mid", messageId));
        this.dispatcher.dispatch(message, () -> this.completed.add(messageId));
    }

    /** Waits until the executor ran everything queued before. */
    private void settle() {
        if (!this.executor.isRunning()) {
            return;
        }
        Set<String> marker = ConcurrentHashMap.newKeySet();
        this.executor.execute(() -> marker.add("done"));
        await().atMost(TIMEOUT).until(() -> !marker.isEmpty());
    }

    @Test
    void whenMessagesArriveBeforeAnyHandlerThenTheFirstHandlerGetsThemInOrderAndOnlyThenAreTheyCompleted() {
        arrive("m1");
        arrive("m2");
        settle();
        assertThat(this.completed).isEmpty();
        this.dispatcher.add((message) -> this.received.add(message.messageId()));
        arrive("m3");
        await().atMost(TIMEOUT).until(() -> this.completed.size() == 3);
        assertThat(this.received).containsExactly("m1", "m2", "m3");
    }

    @Test
    void whenTheApplicationIsReadyWithoutAHandlerThenHeldAndLaterMessagesAreCompletedUnhandled() {
        arrive("early");
        settle();
        assertThat(this.completed).isEmpty();
        this.dispatcher.applicationReady();
        arrive("late");
        await().atMost(TIMEOUT).until(() -> this.completed.containsAll(List.of("early", "late")));
        this.dispatcher.add((message) -> this.received.add(message.messageId()));
        arrive("handled");
        await().atMost(TIMEOUT).until(() -> this.completed.contains("handled"));
        assertThat(this.received).containsExactly("handled");
    }

    @Test
    void whenMoreMessagesThanCanBeHeldArriveThenTheOldestAreCompletedUnhandled() {
        for (int i = 0; i < CloudToDeviceDispatcher.MAX_HELD_MESSAGES + 2; i++) {
            arrive("m" + i);
        }
        await().atMost(TIMEOUT).until(() -> this.completed.size() == 2);
        assertThat(this.completed).containsExactlyInAnyOrder("m0", "m1");
        this.dispatcher.add((message) -> this.received.add(message.messageId()));
        await().atMost(TIMEOUT).until(() -> this.completed.size() == CloudToDeviceDispatcher.MAX_HELD_MESSAGES + 2);
        assertThat(this.received).hasSize(CloudToDeviceDispatcher.MAX_HELD_MESSAGES).first().isEqualTo("m2");
    }

    @Test
    void whenAHandlerThrowsThenTheOthersStillRunAndTheMessageIsCompleted() {
        this.dispatcher.add((message) -> {
            throw new IllegalStateException("broken handler");
        });
        this.dispatcher.add((message) -> this.received.add(message.messageId()));
        arrive("m1");
        await().atMost(TIMEOUT).until(() -> this.completed.contains("m1"));
        assertThat(this.received).containsExactly("m1");
    }

    @Test
    void whenARegistrationIsRemovedThenItsHandlerGetsNoMoreMessages() {
        IotHubInboundRouter.Registration registration = this.dispatcher
            .add((message) -> this.received.add(message.messageId()));
        arrive("m1");
        await().atMost(TIMEOUT).until(() -> this.completed.contains("m1"));
        registration.remove();
        this.dispatcher.applicationReady();
        arrive("m2");
        await().atMost(TIMEOUT).until(() -> this.completed.contains("m2"));
        assertThat(this.received).containsExactly("m1");
    }

    @Test
    void whenTheExecutorIsStoppedThenAMessageStaysUnacknowledgedForTheNextConnection() {
        this.dispatcher.add((message) -> this.received.add(message.messageId()));
        this.executor.beginStop();
        arrive("m1");
        assertThat(this.completed).isEmpty();
        assertThat(this.received).isEmpty();
    }

}
