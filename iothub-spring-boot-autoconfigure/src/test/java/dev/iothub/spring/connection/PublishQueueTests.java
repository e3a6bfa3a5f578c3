package dev.iothub.spring.connection;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The publish queue against a mocked Paho client: what goes on the wire when, and that every message completes
 * and gives back its permit exactly once whatever Paho reports.
 */
class PublishQueueTests {

    private static final String TELEMETRY = "devices/d/messages/events/";

    private static final String TWIN_GET = "$iothub/twin/GET/?$rid=1";

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final List<Publish> published = new CopyOnWriteArrayList<>();

    private PublishQueue queue;

    @BeforeEach
    void recordPublishes() throws MqttException {
        when(this.mqtt.publish(anyString(), any(byte[].class), anyInt(), anyBoolean(), any(),
                any(IMqttActionListener.class))).thenAnswer((invocation) -> {
                    IMqttDeliveryToken token = mock(IMqttDeliveryToken.class);
                    this.published.add(new Publish(invocation.getArgument(0), invocation.getArgument(5), token,
                            Thread.currentThread().getName()));
                    return token;
                });
    }

    @AfterEach
    void stopQueue() {
        if (this.queue != null) {
            this.queue.stop();
        }
    }

    private PublishQueue start(int maxInFlight, int maxPending) {
        this.queue = new PublishQueue("d", () -> this.mqtt, Runnable::run, maxInFlight, maxPending,
                Duration.ZERO);
        this.queue.start();
        return this.queue;
    }

    private CompletableFuture<Void> send(String topic) {
        return this.queue.submit(topic, new byte[] { 1 }, 1, false);
    }

    private void awaitPublished(int count) {
        await().atMost(Duration.ofSeconds(5)).until(() -> this.published.size() >= count);
    }

    @Test
    void aDeliveryFailedByADropIsRemovedFromPahosSessionAndSentAgainByTheQueue() throws Exception {
        start(10, 10).open();
        CompletableFuture<Void> sent = send(TELEMETRY);
        awaitPublished(1);
        Publish first = this.published.get(0);
        this.queue.pause();
        first.listener.onFailure(first.token, new MqttException(MqttException.REASON_CODE_CONNECTION_LOST));
        verify(this.mqtt).removeMessage(first.token);
        assertThat(sent).isNotDone();
        this.queue.open();
        awaitPublished(2);
        this.published.get(1).succeed();
        assertThat(sent).isCompleted();
        assertThat(this.queue.size()).isZero();
    }

    @Test
    void aMessageAcknowledgedTwiceAfterADropReleasesItsPermitOnce() throws Exception {
        start(10, 1).open();
        CompletableFuture<Void> sent = send(TELEMETRY);
        awaitPublished(1);
        Publish first = this.published.get(0);
        first.listener.onFailure(first.token, new MqttException(MqttException.REASON_CODE_CONNECTION_LOST));
        awaitPublished(2);
        // Paho re-sent the original as well and reports success for both
        first.succeed();
        this.published.get(1).succeed();
        assertThat(sent).isCompleted();
        assertThat(this.queue.size()).isZero();
        assertThat(send(TELEMETRY)).isNotCompletedExceptionally();
        assertThat(send(TELEMETRY)).failsWithin(Duration.ofSeconds(1))
            .withThrowableThat()
            .withCauseInstanceOf(IotHubBackPressureException.class);
    }

    @Test
    void aMessageRequeuedAndAcknowledgedBeforeItsResendIsNotSentAgain() throws Exception {
        start(10, 10);
        CompletableFuture<Void> sent = send(TELEMETRY);
        this.queue.open();
        awaitPublished(1);
        Publish first = this.published.get(0);
        this.queue.pause();
        first.listener.onFailure(first.token, new MqttException(MqttException.REASON_CODE_CONNECTION_LOST));
        first.succeed();
        CompletableFuture<Void> next = send(TELEMETRY);
        this.queue.open();
        awaitPublished(2);
        this.published.get(1).succeed();
        assertThat(sent).isCompleted();
        assertThat(next).isCompleted();
        assertThat(this.published).hasSize(2);
    }

    @Test
    void telemetryOverMaxPendingIsRefusedWhileControlTrafficIsAcceptedAndSentFirst() {
        start(10, 2);
        CompletableFuture<Void> first = send(TELEMETRY);
        CompletableFuture<Void> second = send(TELEMETRY);
        assertThat(send(TELEMETRY)).isCompletedExceptionally();
        CompletableFuture<Void> twin = send(TWIN_GET);
        assertThat(twin).isNotCompletedExceptionally();
        this.queue.open();
        awaitPublished(3);
        assertThat(this.published).extracting(Publish::topic).containsExactly(TWIN_GET, TELEMETRY, TELEMETRY);
        this.published.forEach(Publish::succeed);
        assertThat(List.of(first, second, twin)).allMatch(CompletableFuture::isDone)
            .noneMatch(CompletableFuture::isCompletedExceptionally);
    }

    @Test
    void controlTrafficDoesNotWaitForTelemetryInFlight() {
        start(2, 100).open();
        send(TELEMETRY);
        send(TELEMETRY);
        send(TELEMETRY);
        awaitPublished(2);
        send(TWIN_GET);
        awaitPublished(3);
        assertThat(this.published.get(2).topic()).isEqualTo(TWIN_GET);
    }

    @Test
    void inFlightTelemetryIsBoundedByTheWindow() {
        start(2, 100).open();
        for (int i = 0; i < 5; i++) {
            send(TELEMETRY);
        }
        awaitPublished(2);
        assertThat(this.published).hasSize(2);
        this.published.get(0).succeed();
        awaitPublished(3);
        assertThat(this.published).hasSize(3);
    }

    @Test
    void aSynchronousNotConnectedRefusalHoldsTheLaneUntilTheConnectionReopens() throws Exception {
        start(10, 10);
        when(this.mqtt.publish(anyString(), any(byte[].class), anyInt(), anyBoolean(), any(),
                any(IMqttActionListener.class)))
            .thenThrow(new MqttException(MqttException.REASON_CODE_CLIENT_NOT_CONNECTED))
            .thenAnswer((invocation) -> {
                IMqttDeliveryToken token = mock(IMqttDeliveryToken.class);
                this.published.add(new Publish(invocation.getArgument(0), invocation.getArgument(5), token,
                            Thread.currentThread().getName()));
                return token;
            });
        this.queue.open();
        CompletableFuture<Void> sent = send(TELEMETRY);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> verify(this.mqtt).publish(anyString(),
                any(byte[].class), anyInt(), anyBoolean(), any(), any(IMqttActionListener.class)));
        assertThat(this.published).isEmpty();
        this.queue.open();
        awaitPublished(1);
        this.published.get(0).succeed();
        assertThat(sent).isCompleted();
    }

    @Test
    void drainWaitsForOutstandingMessagesAndStopFailsTheRestOnce() {
        start(10, 10).open();
        CompletableFuture<Void> acknowledged = send(TELEMETRY);
        CompletableFuture<Void> unanswered = send(TELEMETRY);
        awaitPublished(2);
        this.published.get(0).succeed();
        assertThat(this.queue.drain(Duration.ofMillis(100))).isFalse();
        assertThat(this.queue.size()).isOne();
        this.queue.stop();
        this.published.get(1).succeed();
        assertThat(acknowledged).isCompleted();
        assertThat(unanswered).isCompletedExceptionally();
        assertThat(this.queue.size()).isZero();
        assertThat(send(TELEMETRY)).isCompletedExceptionally();
    }

    @Test
    void aMessageSubmittedWhileNothingWaitsGoesToPahoOnTheCallersThread() {
        start(10, 10).open();
        send(TWIN_GET);
        send(TELEMETRY);
        assertThat(this.published).extracting(Publish::topic).containsExactly(TWIN_GET, TELEMETRY);
        assertThat(this.published).extracting(Publish::thread).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void aMessageSubmittedWhileTheSendingThreadHoldsAnEarlierOneWaitsBehindIt() throws Exception {
        CountDownLatch senderHolds = new CountDownLatch(1);
        CountDownLatch letSenderGo = new CountDownLatch(1);
        this.queue = new PublishQueue("d", () -> {
            if (Thread.currentThread().getName().startsWith("iothub-publisher-")) {
                senderHolds.countDown();
                awaitUninterruptibly(letSenderGo);
            }
            return this.mqtt;
        }, Runnable::run, 2, 10, Duration.ZERO);
        this.queue.start();
        this.queue.open();
        send(TELEMETRY + "n=1");
        send(TELEMETRY + "n=2");
        send(TELEMETRY + "n=3");
        this.published.get(0).succeed();
        assertThat(senderHolds.await(5, TimeUnit.SECONDS)).isTrue();
        this.published.get(1).succeed();
        send(TELEMETRY + "n=4");
        letSenderGo.countDown();
        awaitPublished(4);
        assertThat(this.published).extracting(Publish::topic)
            .containsExactly(TELEMETRY + "n=1", TELEMETRY + "n=2", TELEMETRY + "n=3", TELEMETRY + "n=4");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSenderWaitingForAPermitIsAcceptedOnceAcknowledgementsFreeSome() throws Exception {
        this.queue = new PublishQueue("d", () -> this.mqtt, Runnable::run, 64, 32, Duration.ofSeconds(30));
        this.queue.start();
        this.queue.open();
        for (int i = 0; i < 32; i++) {
            send(TELEMETRY);
        }
        CompletableFuture<CompletableFuture<Void>> accepted = new CompletableFuture<>();
        Thread waiting = new Thread(() -> accepted.complete(this.queue.submit(TELEMETRY, new byte[] { 1 }, 1, true)),
                "test-waiting-sender");
        waiting.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.getState() == Thread.State.TIMED_WAITING);
        this.published.forEach(Publish::succeed);
        awaitPublished(33);
        this.published.get(32).succeed();
        assertThat(accepted.get(1, TimeUnit.SECONDS)).isCompleted();
    }

    @Test
    void acknowledgementsThatArriveTogetherCompleteInOrderInOneTaskOfTheCompletionExecutor() {
        Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        this.queue = new PublishQueue("d", () -> this.mqtt, tasks::add, 10, 10, Duration.ZERO);
        this.queue.start();
        this.queue.open();
        List<Integer> completed = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            send(TELEMETRY).thenRun(() -> completed.add(n));
        }
        awaitPublished(5);
        this.published.forEach(Publish::succeed);
        assertThat(completed).isEmpty();
        assertThat(tasks).hasSize(1);
        tasks.poll().run();
        assertThat(completed).containsExactly(0, 1, 2, 3, 4);
        this.published.clear();
        send(TELEMETRY).thenRun(() -> completed.add(5));
        awaitPublished(1);
        this.published.get(0).succeed();
        assertThat(tasks).hasSize(1);
        tasks.poll().run();
        assertThat(completed).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aSenderWaitingForAPermitCompletesTheFuturesAcknowledgedMeanwhileInsteadOfTheCompletionExecutor()
            throws Exception {
        Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        this.queue = new PublishQueue("d", () -> this.mqtt, tasks::add, 2, 2, Duration.ofSeconds(30));
        this.queue.start();
        this.queue.open();
        List<String> completedOn = new CopyOnWriteArrayList<>();
        send(TELEMETRY).thenRun(() -> completedOn.add("first on " + Thread.currentThread().getName()));
        send(TELEMETRY).thenRun(() -> completedOn.add("second on " + Thread.currentThread().getName()));
        CompletableFuture<CompletableFuture<Void>> accepted = new CompletableFuture<>();
        Thread waiting = new Thread(() -> accepted.complete(this.queue.submit(TELEMETRY, new byte[] { 1 }, 1, true)),
                "test-waiting-sender");
        waiting.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting.getState() == Thread.State.TIMED_WAITING);
        this.published.get(0).succeed();
        assertThat(accepted.get(5, TimeUnit.SECONDS)).isNotDone();
        assertThat(completedOn).containsExactly("first on test-waiting-sender");
        assertThat(tasks).isEmpty();
        this.published.get(1).succeed();
        assertThat(tasks).hasSize(1);
        tasks.poll().run();
        assertThat(completedOn).containsExactly("first on test-waiting-sender", "second on " + Thread.currentThread()
            .getName());
    }

    private record Publish(String topic, IMqttActionListener listener, IMqttDeliveryToken token, String thread) {

        void succeed() {
            this.listener.onSuccess(this.token);
        }

    }

}
