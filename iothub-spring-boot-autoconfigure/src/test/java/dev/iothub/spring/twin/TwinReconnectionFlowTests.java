package dev.iothub.spring.twin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.connection.IotHubConnectionSettings;
import dev.iothub.spring.connection.IotHubException;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.inbound.IotHubInboundExecutors;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * The reconnection flow on a mocked connection whose callback executor runs tasks only when the test says so: the
 * desired document read after a connect is ordered with the notifications that arrive after it.
 */
class TwinReconnectionFlowTests {

    private final List<String> published = new CopyOnWriteArrayList<>();

    private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

    private final List<DesiredPropertiesUpdate> updates = new CopyOnWriteArrayList<>();

    private final IotHubInboundExecutors executors = new IotHubInboundExecutors("dev1", 1, 10);

    private final IotHubInboundRouter router;

    private final IotHubTwinTemplate twinTemplate;

    private final TwinReconnectionFlow flow;

    TwinReconnectionFlowTests() {
        IotHubClientManager manager = mock(IotHubClientManager.class);
        IotHubConnectionSettings settings = mock(IotHubConnectionSettings.class);
        given(settings.operationTimeout()).willReturn(Duration.ofSeconds(30));
        given(manager.getSettings()).willReturn(settings);
        given(manager.getIdentity()).willReturn(ConnectionString.ofKey("hub", "dev1", null, "a2V5"));
        given(manager.getClientId()).willReturn("dev1");
        given(manager.schedule(any(), any())).willReturn(true);
        given(manager.getCallbackExecutor()).willReturn(this.callbacks::add);
        given(manager.publish(anyString(), any(), anyInt())).willAnswer((invocation) -> {
            this.published.add(invocation.getArgument(0));
            return CompletableFuture.completedFuture(null);
        });
        this.executors.start();
        this.router = new IotHubInboundRouter(manager, this.executors);
        this.twinTemplate = new IotHubTwinTemplate(manager, JsonMapper.shared());
        this.router.setTwinResponseListener(this.twinTemplate);
        this.flow = new TwinReconnectionFlow(this.twinTemplate, this.router);
        this.router.addDesiredPropertiesHandler(this.updates::add);
    }

    @AfterEach
    void stop() {
        this.executors.stop();
    }

    private void arrive(String topic, String payload) {
        this.router.messageArrived(topic, payload.getBytes(StandardCharsets.UTF_8), () -> {
        });
    }

    private void notification(long version) {
        arrive("$iothub/twin/PATCH/properties/desired/?$version=" + version,
                "{\"color\":\"c" + version + "\",\"$version\":" + version + "}");
    }

    private String lastGetRequestId() {
        String topic = this.published.get(this.published.size() - 1);
        assertThat(topic).startsWith("$iothub/twin/GET/?$rid=");
        return topic.substring("$iothub/twin/GET/?$rid=".length());
    }

    private List<Long> versionsUntil(long sentinel) {
        notification(sentinel);
        await().atMost(Duration.ofSeconds(5))
            .until(() -> this.updates.stream().anyMatch((update) -> update.version() == sentinel));
        return this.updates.stream().map(DesiredPropertiesUpdate::version).toList();
    }

    @Test
    void whenANotificationFollowsTheTwinReadAfterAReconnectThenTheTwinIsDeliveredBeforeIt() {
        notification(7);
        this.flow.connected(true, false);
        arrive("$iothub/twin/res/200/?$rid=" + lastGetRequestId(),
                "{\"desired\":{\"color\":\"c8\",\"$version\":8},\"reported\":{\"$version\":1}}");
        notification(9);
        this.callbacks.forEach(Runnable::run);
        assertThat(versionsUntil(10)).containsExactly(7L, 8L, 9L, 10L);
        assertThat(this.updates.get(1).complete()).isTrue();
        assertThat(this.updates.get(1).payloadAsString()).isEqualTo("{\"color\":\"c8\"}");
    }

    @Test
    void whenTheTwinHasNoDesiredVersionThenNothingIsDeliveredAndGetTwinFails() {
        notification(7);
        this.flow.connected(true, false);
        arrive("$iothub/twin/res/200/?$rid=" + lastGetRequestId(), "{\"reported\":{\"$version\":1}}");
        CompletableFuture<DeviceTwin> read = this.twinTemplate.getTwin();
        arrive("$iothub/twin/res/200/?$rid=" + lastGetRequestId(), "{\"desired\":{\"a\":1},\"reported\":{}}");
        this.callbacks.forEach(Runnable::run);
        assertThat(read).failsWithin(Duration.ofSeconds(5)).withThrowableThat()
            .havingRootCause()
            .isInstanceOf(IotHubException.class)
            .withMessage("The twin IoT Hub sent has no numeric desired $version");
        assertThat(versionsUntil(8)).containsExactly(7L, 8L);
    }

}
