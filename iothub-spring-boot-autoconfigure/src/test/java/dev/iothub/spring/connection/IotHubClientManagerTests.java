package dev.iothub.spring.connection;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.integration.mqtt.core.MqttPahoClientFactory;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.verify;

/**
 * The manager with its real threads and a mocked Paho client: start and stop, and that a stopped manager leaves
 * no thread behind.
 */
class IotHubClientManagerTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final MqttPahoClientFactory clients = mock(MqttPahoClientFactory.class);

    private final List<Object> events = new CopyOnWriteArrayList<>();

    private IotHubClientManager manager;

    @BeforeEach
    void createClientsOnDemand() throws MqttException {
        given(this.clients.getAsyncClientInstance(anyString(), anyString())).willReturn(this.mqtt);
    }

    @AfterEach
    void stopManager() {
        if (this.manager != null) {
            this.manager.stop();
        }
    }

    /** Starts a manager whose reconnect back-off is an hour: a test never sees a reconnect happen by itself. */
    private IotHubClientManager start(String deviceId) {
        ConnectionString identity = ConnectionString.ofKey("localhost", deviceId, null, KEY);
        IotHubConnectionSettings settings = new IotHubConnectionSettings(identity, IotHubTransport.MQTT, 8883, null, null, null, false,
                Duration.ofMinutes(4), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofHours(1), 0.85, 10, 10, Duration.ZERO,
                new ReconnectBackoff(Duration.ofHours(1), Duration.ofHours(1), 2.0, 0));
        Clock clock = Clock.systemUTC();
        this.manager = new IotHubClientManager(settings,
                SasTokenProvider.fromKey("localhost", deviceId, null, KEY, Duration.ofHours(1), clock), clock,
                this.clients);
        this.manager.setApplicationEventPublisher(this.events::add);
        this.manager.start();
        return this.manager;
    }

    private void hubAccepts() throws MqttException {
        given(this.mqtt.connect(any(MqttConnectOptions.class), any(), any(IMqttActionListener.class)))
            .willAnswer((invocation) -> {
                invocation.<IMqttActionListener>getArgument(2).onSuccess(mock(IMqttToken.class));
                return mock(IMqttToken.class);
            });
        IMqttToken suback = mock(IMqttToken.class);
        given(suback.getGrantedQos()).willReturn(new int[] { 1, 0, 0, 0 });
        given(this.mqtt.subscribe(any(String[].class), any(int[].class), any(), any(IMqttActionListener.class),
                any(IMqttMessageListener[].class)))
            .willAnswer((invocation) -> {
                invocation.<IMqttActionListener>getArgument(3).onSuccess(suback);
                return suback;
            });
        given(this.mqtt.publish(anyString(), any(byte[].class), anyInt(), anyBoolean(), any(),
                any(IMqttActionListener.class)))
            .willAnswer((invocation) -> {
                IMqttDeliveryToken puback = mock(IMqttDeliveryToken.class);
                invocation.<IMqttActionListener>getArgument(5).onSuccess(puback);
                return puback;
            });
    }

    private void hubRefusesConnections() throws MqttException {
        given(this.mqtt.connect(any(MqttConnectOptions.class), any(), any(IMqttActionListener.class)))
            .willAnswer((invocation) -> {
                invocation.<IMqttActionListener>getArgument(2)
                    .onFailure(mock(IMqttToken.class), new MqttException(
                            MqttException.REASON_CODE_SERVER_CONNECT_ERROR, new ConnectException("refused")));
                return mock(IMqttToken.class);
            });
    }

    private long connectAttempts() {
        return mockingDetails(this.mqtt).getInvocations()
            .stream()
            .filter((invocation) -> invocation.getMethod().getName().equals("connect"))
            .count();
    }

    private static List<String> threadsOf(String deviceId) {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter((name) -> name.contains(deviceId))
            .toList();
    }

    @Test
    void whenTheHubAcceptsThenStartReturnsConnectedAndStopLeavesNoThread() throws MqttException {
        hubAccepts();
        IotHubClientManager started = start("mgr1");
        assertThat(started.isConnected()).isTrue();
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(this.events).singleElement().isInstanceOf(IotHubConnectedEvent.class));
        assertThat(started.publish("devices/mgr1/messages/events/", new byte[1], 1))
            .succeedsWithin(5, TimeUnit.SECONDS);
        assertThat(threadsOf("mgr1")).contains("iothub-connection-mgr1-1", "iothub-callbacks-mgr1-1",
                "iothub-publisher-mgr1");
        started.stop();
        assertThat(started.getStatus().state()).isEqualTo(IotHubConnectionState.STOPPED);
        assertThat(this.events).last()
            .isInstanceOfSatisfying(IotHubDisconnectedEvent.class,
                    (event) -> assertThat(event.getReason()).isEqualTo(DisconnectReason.APPLICATION_STOPPED));
        verify(this.mqtt).close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf("mgr1")).isEmpty());
        assertThat(started.publish("devices/mgr1/messages/events/", new byte[1], 1)).isCompletedExceptionally();
    }

    @Test
    void whenStoppedDuringAPendingReconnectThenTheDelayedAttemptDoesNotHoldAThread() throws MqttException {
        hubRefusesConnections();
        IotHubClientManager started = start("mgr2");
        assertThat(started.getStatus().state()).isEqualTo(IotHubConnectionState.RECONNECTING);
        started.stop();
        assertThat(started.getStatus().state()).isEqualTo(IotHubConnectionState.STOPPED);
        assertThat(connectAttempts()).isOne();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf("mgr2")).isEmpty());
    }

    @Test
    void whenStoppedWhileAConnectIsUnansweredThenItWaitsForTheAnswerAndDisconnectsBeforeClosing() throws MqttException {
        IMqttToken connect = mock(IMqttToken.class);
        given(this.mqtt.connect(any(MqttConnectOptions.class), any(), any(IMqttActionListener.class)))
            .willReturn(connect);
        willAnswer((invocation) -> given(this.mqtt.isConnected()).willReturn(true)).given(connect)
            .waitForCompletion(anyLong());
        given(this.mqtt.disconnect(anyLong())).willReturn(mock(IMqttToken.class));
        IotHubClientManager started = start("mgr4");
        started.stop();
        InOrder order = inOrder(connect, this.mqtt);
        order.verify(connect).waitForCompletion(anyLong());
        order.verify(this.mqtt).disconnect(anyLong());
        order.verify(this.mqtt).close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf("mgr4")).isEmpty());
    }

    @Test
    void whenStartedAgainAfterAStopThenItConnectsAgainAsAReconnect() throws MqttException {
        hubAccepts();
        IotHubClientManager started = start("mgr3");
        started.stop();
        started.start();
        assertThat(started.isConnected()).isTrue();
        await().atMost(Duration.ofSeconds(5))
            .untilAsserted(() -> assertThat(this.events).filteredOn(IotHubConnectedEvent.class::isInstance)
                .extracting((event) -> ((IotHubConnectedEvent) event).isReconnect())
                .containsExactly(false, true));
    }

}
