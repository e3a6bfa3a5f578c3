package dev.iothub.spring.twin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubConnectionState;
import dev.iothub.spring.connection.IotHubConnectionStatus;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.inbound.IotHubInboundExecutors;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Twin requests across a dropped connection, on a mocked connection whose publishes the test acknowledges: what
 * happens to a request the hub acknowledged but had not answered when the connection dropped (the case the
 * emulator cannot produce, since it sends the PUBACK and the answer in one TLS record).
 */
class IotHubTwinTemplateTests {

    private final List<String> published = new CopyOnWriteArrayList<>();

    private final List<CompletableFuture<Void>> acknowledgements = new CopyOnWriteArrayList<>();

    private final List<Runnable> timeouts = new CopyOnWriteArrayList<>();

    private final IotHubInboundExecutors executors = new IotHubInboundExecutors("dev1", 1, 10);

    private final IotHubClientManager manager = mock(IotHubClientManager.class);

    private final IotHubInboundRouter router;

    private final IotHubTwinTemplate twinTemplate;

    IotHubTwinTemplateTests() {
        IotHubConnectionSettings settings = mock(IotHubConnectionSettings.class);
        given(settings.operationTimeout()).willReturn(Duration.ofSeconds(30));
        given(this.manager.getSettings()).willReturn(settings);
        given(this.manager.getClientId()).willReturn("dev1");
        given(this.manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", "dev1", null, "a2V5"));
        given(this.manager.schedule(any(), any())).willAnswer((invocation) -> {
            this.timeouts.add(invocation.getArgument(0));
            return true;
        });
        given(this.manager.getCallbackExecutor()).willReturn(Runnable::run);
        given(this.manager.publish(anyString(), any(), anyInt())).willAnswer((invocation) -> {
            this.published.add(invocation.getArgument(0));
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            this.acknowledgements.add(acknowledged);
            return acknowledged;
        });
        this.executors.start();
        this.router = new IotHubInboundRouter(this.manager, this.executors);
        this.twinTemplate = new IotHubTwinTemplate(this.manager, JsonMapper.shared());
        this.router.setTwinResponseListener(this.twinTemplate);
    }

    @AfterEach
    void stop() {
        this.executors.stop();
    }

    @Test
    void whenTheConnectionDropsAfterTheHubAcknowledgedAGetThenItIsSentAgainWithTheSameRidAndCompletes()
            throws Exception {
        CompletableFuture<DeviceTwin> twin = this.twinTemplate.getTwin();
        this.acknowledgements.get(0).complete(null);

        drop();

        assertThat(this.published).hasSize(2).containsOnly(this.published.get(0));
        answer(this.published.get(1), 200, "{\"desired\":{\"$version\":3},\"reported\":{\"$version\":5}}");
        assertThat(twin.get(5, TimeUnit.SECONDS).reportedVersion()).isEqualTo(5);
    }

    @Test
    void whenTheConnectionDropsAfterTheHubAcknowledgedAPatchThenItIsSentAgainWithTheSameValues() throws Exception {
        CompletableFuture<Long> version = this.twinTemplate.updateReportedProperties(Map.of("firmware", "1.2"));
        this.acknowledgements.get(0).complete(null);

        drop();

        assertThat(this.published).hasSize(2).containsOnly(this.published.get(0));
        answer(this.published.get(1) + "&$version=7", 204, "");
        assertThat(version.get(5, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void whenTheConnectionDropsBeforeTheHubAcknowledgedARequestThenTheConnectionsQueueAloneSendsItAgain() {
        CompletableFuture<DeviceTwin> twin = this.twinTemplate.getTwin();

        drop();

        assertThat(this.published).hasSize(1);
        assertThat(twin).isNotDone();
    }

    @Test
    void whenTheConnectionDropsAfterTheHubAcknowledgedAConditionalPatchThenItFailsSayingItMayHaveBeenApplied() {
        CompletableFuture<Long> version = this.twinTemplate.updateReportedProperties(Map.of("firmware", "1.2"), 4);
        this.acknowledgements.get(0).complete(null);

        drop();

        assertThat(this.published).hasSize(1);
        assertThat(version).isCompletedExceptionally();
        assertThat(failure(version))
            .isInstanceOf(IotHubException.class)
            .hasMessageContaining("connection to IoT Hub was lost after the hub received the conditional")
            .hasMessageContaining("may have been applied")
            .hasMessageContaining("read the twin");
    }

    @Test
    void whenAnotherConnectionDropsThenNothingIsSentAgain() {
        this.twinTemplate.getTwin();
        this.acknowledgements.get(0).complete(null);

        this.twinTemplate.onApplicationEvent(new IotHubDisconnectedEvent(new Object(), "other",
                DisconnectReason.CONNECTION_LOST, null));

        assertThat(this.published).hasSize(1);
    }

    @Test
    void whenTheOperationTimesOutWhileTheConnectionIsDownThenTheMessageSaysSoAndNamesTheProperty() {
        given(this.manager.isConnected()).willReturn(false);
        given(this.manager.getStatus()).willReturn(new IotHubConnectionStatus(IotHubConnectionState.RECONNECTING,
                "hub", "dev1", null, null, DisconnectReason.CONNECTION_LOST, "the network is unreachable", 3, null));
        CompletableFuture<DeviceTwin> twin = this.twinTemplate.getTwin();

        this.timeouts.get(0).run();

        assertThat(failure(twin))
            .hasMessage("IoT Hub did not answer the twin request within 30s (iothub.operation-timeout); the "
                    + "connection to IoT Hub is down (the network is unreachable)");
    }

    @Test
    void whenTheOperationTimesOutOnALiveConnectionAfterAResendThenTheMessageSaysItWasSentAgain() {
        given(this.manager.isConnected()).willReturn(true);
        CompletableFuture<DeviceTwin> twin = this.twinTemplate.getTwin();
        this.acknowledgements.get(0).complete(null);
        drop();

        this.timeouts.get(0).run();

        assertThat(failure(twin))
            .hasMessageContaining("within 30s (iothub.operation-timeout), although it was sent again after the "
                    + "connection dropped");
    }

    private static Throwable failure(CompletableFuture<?> future) {
        Throwable failure = future.handle((result, ex) -> ex).join();
        return (failure instanceof CompletionException) ? failure.getCause() : failure;
    }

    private void drop() {
        this.twinTemplate.onApplicationEvent(new IotHubDisconnectedEvent(this.manager, "dev1",
                DisconnectReason.CONNECTION_LOST, null));
    }

    private void answer(String requestTopic, int status, String body) {
        String query = requestTopic.substring(requestTopic.indexOf('?'));
        this.router.messageArrived("$iothub/twin/res/" + status + "/" + query, body.getBytes(StandardCharsets.UTF_8),
                () -> {
                });
    }

}
