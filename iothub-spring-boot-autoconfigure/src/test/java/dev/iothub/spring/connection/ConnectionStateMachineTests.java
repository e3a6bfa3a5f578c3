package dev.iothub.spring.connection;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.SocketFactory;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubConnectionEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * The connection state machine against a mocked Paho client, on a connection thread the test drives: every Paho
 * answer is given by hand and every timer fires only when the test moves the clock.
 */
class ConnectionStateMachineTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    private static final ConnectionString IDENTITY = ConnectionString.ofKey("hub.example", "dev1", null, KEY);

    private static final ConnectionString X509_IDENTITY = ConnectionString
        .parse("HostName=hub.example;DeviceId=dev1;x509=true");

    private final int[] allGranted = { 1, 0, 0, 0 };

    private final ManualTaskScheduler scheduler = new ManualTaskScheduler();

    private final IMqttAsyncClient mqtt = mock(IMqttAsyncClient.class);

    private final MqttConnectOptions options = new MqttConnectOptions();

    private final List<Connect> connects = new CopyOnWriteArrayList<>();

    private final List<Subscribe> subscribes = new CopyOnWriteArrayList<>();

    private final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();

    private final List<IotHubConnectionEvent> events = new CopyOnWriteArrayList<>();

    private final List<String> listenerCalls = new CopyOnWriteArrayList<>();

    private final PublishQueue queue = new PublishQueue("dev1", () -> this.mqtt, Runnable::run, 10, 10,
            Duration.ZERO);

    private ConnectionStateMachine machine;

    private CompletableFuture<Void> firstAttempt;

    @BeforeEach
    void recordWhatIsSentToPaho() throws MqttException {
        given(this.mqtt.connect(any(MqttConnectOptions.class), any(), any(IMqttActionListener.class)))
            .willAnswer((invocation) -> {
                MqttConnectOptions sent = invocation.getArgument(0);
                IMqttToken token = mock(IMqttToken.class);
                String password = (sent.getPassword() != null) ? new String(sent.getPassword()) : null;
                this.connects.add(new Connect(password, sent.getSocketFactory(), invocation.getArgument(2), token));
                return token;
            });
        given(this.mqtt.subscribe(any(String[].class), any(int[].class), any(), any(IMqttActionListener.class),
                any(IMqttMessageListener[].class)))
            .willAnswer((invocation) -> {
                this.subscribes.add(new Subscribe(invocation.getArgument(0), invocation.getArgument(1),
                        invocation.getArgument(3)));
                return mock(IMqttToken.class);
            });
        given(this.mqtt.disconnect(anyLong(), any(), any(IMqttActionListener.class))).willAnswer((invocation) -> {
            this.disconnects.add(new Disconnect(invocation.getArgument(0), invocation.getArgument(2)));
            return mock(IMqttToken.class);
        });
        useTokens(SasTokenProvider.fromKey(IDENTITY.hostName(), IDENTITY.deviceId(), null, KEY, TOKEN_LIFETIME,
                this.scheduler.getClock()));
    }

    private void useTokens(SasTokenProvider tokens) {
        useIdentity(IDENTITY, tokens);
    }

    private void useIdentity(ConnectionString identity, @Nullable SasTokenProvider tokens) {
        IotHubConnectionSettings settings = new IotHubConnectionSettings(identity, IotHubTransport.MQTT, 8883, null, null, null, false,
                Duration.ofMinutes(4), CONNECT_TIMEOUT, Duration.ofSeconds(10), SHUTDOWN_TIMEOUT, TOKEN_LIFETIME, 0.5,
                10, 10, Duration.ZERO, new ReconnectBackoff(FIRST_BACKOFF, Duration.ofMinutes(1), 2.0, 0));
        ConnectionEventPublisher publisher = new ConnectionEventPublisher(this, () -> "dev1",
                () -> (event) -> this.events.add((IotHubConnectionEvent) event));
        publisher.addListener((reconnect, renewal) -> this.listenerCalls.add(reconnect + "/" + renewal));
        this.machine = new ConnectionStateMachine(settings, this.options,
                new SasTokenRenewer(tokens, settings, this.scheduler.getClock()),
                new HubSubscriptions(identity, (topic, message) -> {
                }), new ConnectionDiagnostics("dev1", settings), publisher, this.scheduler,
                this.scheduler.getClock());
    }

    private void start() {
        this.firstAttempt = this.machine.start(this.mqtt, this.queue);
        this.scheduler.runReady();
    }

    private void connack(int attempt) {
        this.connects.get(attempt).listener.onSuccess(mock(IMqttToken.class));
        this.scheduler.runReady();
    }

    private void connackFails(int attempt) {
        this.connects.get(attempt).listener.onFailure(mock(IMqttToken.class),
                new MqttException(MqttException.REASON_CODE_NOT_AUTHORIZED));
        this.scheduler.runReady();
    }

    private void suback(int subscription, int... granted) {
        IMqttToken token = mock(IMqttToken.class);
        given(token.getGrantedQos()).willReturn(granted);
        this.subscribes.get(subscription).listener.onSuccess(token);
        this.scheduler.runReady();
    }

    private void disconnected(int disconnect) {
        this.disconnects.get(disconnect).listener.onSuccess(mock(IMqttToken.class));
        this.scheduler.runReady();
    }

    private void lost() {
        this.machine.lost(new MqttException(MqttException.REASON_CODE_CONNECTION_LOST));
        this.scheduler.runReady();
    }

    private void connected() {
        start();
        connack(0);
        suback(0, this.allGranted);
    }

    private IotHubConnectionState state() {
        return this.machine.status().state();
    }

    private <T extends IotHubConnectionEvent> List<T> events(Class<T> type) {
        return this.events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void whenConnackAndSubackArriveThenItIsConnectedToTheFourFiltersAndSaysSo() {
        start();
        assertThat(this.connects).hasSize(1);
        assertThat(this.connects.get(0).password).startsWith("SharedAccessSignature sig=")
            .endsWith("&sr=hub.example/devices/dev1");
        assertThat(state()).isEqualTo(IotHubConnectionState.CONNECTING);
        connack(0);
        assertThat(this.subscribes).hasSize(1);
        assertThat(this.subscribes.get(0).filters).containsExactly("devices/dev1/messages/devicebound/#",
                Topics.METHODS_FILTER, Topics.TWIN_RESPONSES_FILTER, Topics.DESIRED_PROPERTIES_FILTER);
        assertThat(this.subscribes.get(0).qos).containsExactly(1, 0, 0, 0);
        assertThat(state()).isEqualTo(IotHubConnectionState.CONNECTING);
        assertThat(this.firstAttempt).isNotDone();
        suback(0, this.allGranted);
        assertThat(this.machine.isConnected()).isTrue();
        assertThat(this.machine.status().connectedSince()).isEqualTo(this.scheduler.getClock().instant());
        assertThat(this.events).singleElement()
            .isInstanceOfSatisfying(IotHubConnectedEvent.class, (event) -> assertThat(event.isReconnect()).isFalse());
        assertThat(this.listenerCalls).containsExactly("false/false");
        assertThat(this.firstAttempt).isDone();
        assertThat(this.scheduler.timers()).as("only the token renewal").containsExactly(Duration.ofSeconds(1801));
    }

    @Test
    void whenTheConnackRefusesThenOneReconnectIsScheduledAfterTheBackOff() {
        start();
        connackFails(0);
        assertThat(state()).isEqualTo(IotHubConnectionState.RECONNECTING);
        assertThat(this.machine.status().lastDisconnectReason()).isEqualTo(DisconnectReason.NOT_AUTHORIZED);
        assertThat(this.machine.status().lastError()).contains("refused the credentials of dev1");
        assertThat(this.events).singleElement().isInstanceOfSatisfying(IotHubReconnectingEvent.class, (event) -> {
            assertThat(event.getAttempt()).isEqualTo(1);
            assertThat(event.getDelay()).isEqualTo(FIRST_BACKOFF);
        });
        assertThat(this.firstAttempt).isDone();
        assertThat(this.scheduler.timers()).containsExactly(FIRST_BACKOFF);
        this.scheduler.advance(FIRST_BACKOFF.minusMillis(1));
        assertThat(this.connects).hasSize(1);
        this.scheduler.advance(Duration.ofMillis(1));
        assertThat(this.connects).hasSize(2);
        assertThat(state()).isEqualTo(IotHubConnectionState.CONNECTING);
        connackFails(1);
        assertThat(events(IotHubReconnectingEvent.class)).extracting(IotHubReconnectingEvent::getAttempt)
            .containsExactly(1, 2);
        assertThat(this.scheduler.timers()).containsExactly(FIRST_BACKOFF.multipliedBy(2));
    }

    @Test
    void whenTheHubRefusesAFilterThenTheErrorNamesItAndOneReconnectFollowsTheDisconnect() {
        start();
        connack(0);
        suback(0, 1, HubSubscriptions.REFUSED, 0, 0);
        assertThat(this.machine.isConnected()).isFalse();
        assertThat(state()).isEqualTo(IotHubConnectionState.RECONNECTING);
        assertThat(this.machine.status().lastDisconnectReason()).isEqualTo(DisconnectReason.SUBSCRIBE_FAILED);
        assertThat(this.machine.status().lastError()).contains("refused the subscription")
            .contains(Topics.METHODS_FILTER)
            .doesNotContain(Topics.TWIN_RESPONSES_FILTER);
        assertThat(this.events).singleElement()
            .isInstanceOfSatisfying(IotHubDisconnectedEvent.class,
                    (event) -> assertThat(event.getReason()).isEqualTo(DisconnectReason.SUBSCRIBE_FAILED));
        assertThat(this.disconnects).singleElement().extracting(Disconnect::quiesce).isEqualTo(0L);
        assertThat(this.scheduler.timers()).as("no reconnect before the disconnect is done").isEmpty();
        disconnected(0);
        assertThat(events(IotHubReconnectingEvent.class)).singleElement()
            .extracting(IotHubReconnectingEvent::getAttempt)
            .isEqualTo(1);
        assertThat(this.scheduler.timers()).containsExactly(FIRST_BACKOFF);
    }

    @Test
    void whenTheSubackNeverComesThenTheDeadlineDropsTheConnectionAndOneReconnectFollows() {
        start();
        connack(0);
        assertThat(this.scheduler.timers()).containsExactly(CONNECT_TIMEOUT);
        this.scheduler.advance(CONNECT_TIMEOUT.minusMillis(1));
        assertThat(this.events).isEmpty();
        this.scheduler.advance(Duration.ofMillis(1));
        assertThat(this.machine.status().lastDisconnectReason()).isEqualTo(DisconnectReason.SUBSCRIBE_FAILED);
        assertThat(this.machine.status().lastError()).contains("did not answer the SUBSCRIBE of dev1 within PT5S")
            .contains("iothub.connect-timeout");
        assertThat(this.disconnects).hasSize(1);
        disconnected(0);
        assertThat(events(IotHubReconnectingEvent.class)).hasSize(1);
        assertThat(this.scheduler.timers()).containsExactly(FIRST_BACKOFF);
        this.scheduler.advance(FIRST_BACKOFF);
        assertThat(this.connects).hasSize(2);
    }

    @Nested
    class WhenTheConnectionIsLostWhileAReconnectIsPending {

        @Test
        void afterAFailedAttemptThenNoSecondTimerStarts() {
            start();
            connackFails(0);
            lost();
            assertThat(ConnectionStateMachineTests.this.scheduler.timers()).containsExactly(FIRST_BACKOFF);
            assertThat(ConnectionStateMachineTests.this.events).singleElement()
                .isInstanceOf(IotHubReconnectingEvent.class);
            assertThat(ConnectionStateMachineTests.this.machine.status().reconnectAttempts()).isEqualTo(1);
        }

        @Test
        void whileARefusedSubscriptionIsDroppedThenOneReconnectFollows() {
            start();
            connack(0);
            suback(0, 1, 0, 0, HubSubscriptions.REFUSED);
            lost();
            disconnected(0);
            assertThat(ConnectionStateMachineTests.this.scheduler.timers()).containsExactly(FIRST_BACKOFF);
            assertThat(events(IotHubDisconnectedEvent.class)).hasSize(1);
            assertThat(events(IotHubReconnectingEvent.class)).hasSize(1);
        }

    }

    @Test
    void whenAConnectedConnectionIsLostThenItSaysWhyAndReconnectsOnce() {
        connected();
        this.events.clear();
        lost();
        assertThat(state()).isEqualTo(IotHubConnectionState.RECONNECTING);
        assertThat(this.machine.status().connectedSince()).isNull();
        assertThat(this.events).hasSize(2);
        assertThat(this.events.get(0)).isInstanceOfSatisfying(IotHubDisconnectedEvent.class,
                (event) -> assertThat(event.getReason()).isEqualTo(DisconnectReason.CONNECTION_LOST));
        assertThat(this.events.get(1)).isInstanceOf(IotHubReconnectingEvent.class);
        assertThat(this.scheduler.timers()).as("the renewal is cancelled").containsExactly(FIRST_BACKOFF);
        this.scheduler.advance(FIRST_BACKOFF);
        connack(1);
        suback(1, this.allGranted);
        assertThat(events(IotHubConnectedEvent.class)).singleElement()
            .satisfies((event) -> assertThat(event.isReconnect()).isTrue());
        assertThat(this.listenerCalls).containsExactly("false/false", "true/false");
        assertThat(this.machine.status().reconnectAttempts()).isZero();
    }

    @Test
    void staleAnswersOfAnAttemptAlreadyGivenUpAreIgnored() {
        start();
        connack(0);
        this.scheduler.advance(CONNECT_TIMEOUT);
        disconnected(0);
        this.scheduler.advance(FIRST_BACKOFF);
        assertThat(this.connects).hasSize(2);
        suback(0, this.allGranted);
        connack(0);
        this.connects.get(0).listener.onFailure(mock(IMqttToken.class), new MqttException(0));
        this.scheduler.runReady();
        assertThat(state()).isEqualTo(IotHubConnectionState.CONNECTING);
        assertThat(this.subscribes).hasSize(1);
        assertThat(events(IotHubConnectedEvent.class)).isEmpty();
        assertThat(events(IotHubReconnectingEvent.class)).hasSize(1);
        connack(1);
        suback(1, this.allGranted);
        assertThat(this.machine.isConnected()).isTrue();
        assertThat(events(IotHubConnectedEvent.class)).hasSize(1);
    }

    @Test
    void whenTheRenewalIsDueThenItReconnectsWithAFreshTokenAndSaysRenewedNotDisconnected() {
        connected();
        this.events.clear();
        this.scheduler.advance(Duration.ofSeconds(1801));
        assertThat(state()).isEqualTo(IotHubConnectionState.RENEWING_TOKEN);
        assertThat(this.machine.status().isUp()).isTrue();
        assertThat(this.disconnects).singleElement()
            .extracting(Disconnect::quiesce)
            .isEqualTo(SHUTDOWN_TIMEOUT.toMillis());
        disconnected(0);
        assertThat(this.connects).hasSize(2);
        assertThat(this.connects.get(1).password).isNotEqualTo(this.connects.get(0).password);
        assertThat(state()).isEqualTo(IotHubConnectionState.RENEWING_TOKEN);
        connack(1);
        suback(1, this.allGranted);
        assertThat(this.machine.isConnected()).isTrue();
        Instant expiry = this.scheduler.getClock().instant().plus(TOKEN_LIFETIME).plusSeconds(1);
        assertThat(this.events).singleElement()
            .isInstanceOfSatisfying(IotHubSasTokenRenewedEvent.class,
                    (event) -> assertThat(event.getExpiry()).isEqualTo(expiry));
        assertThat(this.machine.status().tokenExpiry()).isEqualTo(expiry);
        assertThat(this.listenerCalls).containsExactly("false/false", "true/true");
        assertThat(this.scheduler.timers()).containsExactly(Duration.ofSeconds(1801));
    }

    @Test
    void whenAPreBuiltTokenExpiresThenTheConnectionEndsForGood() {
        Instant expiry = this.scheduler.getClock().instant().plus(Duration.ofMinutes(20));
        useTokens(SasTokenProvider.of(SasToken.create(IDENTITY.hostName(), IDENTITY.deviceId(), null, KEY, expiry)));
        connected();
        assertThat(this.scheduler.timers()).as("the expiry warning").containsExactly(Duration.ofMinutes(5));
        this.scheduler.advance(Duration.ofMinutes(21));
        this.events.clear();
        lost();
        assertThat(state()).isEqualTo(IotHubConnectionState.EXPIRED);
        assertThat(this.machine.status().lastError()).contains("cannot be renewed");
        assertThat(this.events).singleElement()
            .isInstanceOfSatisfying(IotHubDisconnectedEvent.class,
                    (event) -> assertThat(event.getReason()).isEqualTo(DisconnectReason.SAS_TOKEN_EXPIRED));
        assertThat(this.scheduler.timers()).isEmpty();
    }

    @Test
    void whenStoppedDuringAPendingReconnectThenTheTimerIsCancelledAndNothingMoves() {
        start();
        connackFails(0);
        CompletableFuture<IMqttToken> stopped = this.machine.stop();
        this.scheduler.runReady();
        assertThat(stopped).isDone();
        assertThat(this.scheduler.timers()).isEmpty();
        assertThat(state()).isEqualTo(IotHubConnectionState.STOPPED);
        lost();
        this.scheduler.advance(Duration.ofHours(1));
        assertThat(this.connects).hasSize(1);
        this.machine.stopped();
        assertThat(this.machine.status().lastDisconnectReason()).isEqualTo(DisconnectReason.APPLICATION_STOPPED);
        assertThat(events(IotHubDisconnectedEvent.class)).singleElement()
            .extracting(IotHubDisconnectedEvent::getReason)
            .isEqualTo(DisconnectReason.APPLICATION_STOPPED);
    }

    @Test
    void whenStoppedWhileConnectingThenTheLateConnackIsIgnoredAndTheManagerGetsTheConnectToWaitFor() {
        start();
        CompletableFuture<IMqttToken> stopped = this.machine.stop();
        this.scheduler.runReady();
        assertThat(stopped).isCompletedWithValue(this.connects.get(0).token);
        connack(0);
        assertThat(this.subscribes).isEmpty();
        assertThat(state()).isEqualTo(IotHubConnectionState.STOPPED);
        assertThat(this.scheduler.timers()).isEmpty();
    }

    @Test
    void whenStoppedWhileConnectedThenItStaysUpForTheDrainButMakesNoMoreMoves() {
        connected();
        this.machine.stop();
        this.scheduler.runReady();
        assertThat(this.machine.isConnected()).isTrue();
        assertThat(this.scheduler.timers()).as("the renewal is cancelled").isEmpty();
        this.events.clear();
        lost();
        assertThat(this.events).isEmpty();
        assertThat(this.scheduler.timers()).isEmpty();
    }

    @Nested
    class WhenTheSslBundleChanges {

        private final SocketFactory rotated = SocketFactory.getDefault();

        private void rotate() {
            assertThat(ConnectionStateMachineTests.this.machine.useSocketFactory(this.rotated)).isTrue();
            ConnectionStateMachineTests.this.scheduler.runReady();
        }

        @Test
        void whenAnX509ConnectionIsUpThenItReconnectsWithTheNewMaterialAndSaysWhy() {
            useIdentity(X509_IDENTITY, null);
            connected();
            ConnectionStateMachineTests.this.events.clear();
            rotate();
            assertThat(state()).isEqualTo(IotHubConnectionState.RENEWING_TOKEN);
            assertThat(ConnectionStateMachineTests.this.machine.status().lastDisconnectReason())
                .isEqualTo(DisconnectReason.CERTIFICATE_ROTATED);
            disconnected(0);
            assertThat(ConnectionStateMachineTests.this.connects).hasSize(2);
            assertThat(ConnectionStateMachineTests.this.connects.get(1).socketFactory).isSameAs(this.rotated);
            connack(1);
            suback(1, ConnectionStateMachineTests.this.allGranted);
            assertThat(ConnectionStateMachineTests.this.machine.isConnected()).isTrue();
            assertThat(ConnectionStateMachineTests.this.events).satisfiesExactly(
                    (event) -> assertThat(event).isInstanceOfSatisfying(IotHubDisconnectedEvent.class,
                            (disconnected) -> assertThat(disconnected.getReason())
                                .isEqualTo(DisconnectReason.CERTIFICATE_ROTATED)),
                    (event) -> assertThat(event).isInstanceOfSatisfying(IotHubConnectedEvent.class,
                            (connected) -> assertThat(connected.isReconnect()).isTrue()));
            assertThat(ConnectionStateMachineTests.this.listenerCalls).containsExactly("false/false", "true/false");
        }

        @Test
        void whenTheConnectOfAnX509ConnectionIsInFlightThenItMovesToTheNewMaterialOnceUp() {
            useIdentity(X509_IDENTITY, null);
            start();
            rotate();
            assertThat(ConnectionStateMachineTests.this.disconnects).isEmpty();
            connack(0);
            suback(0, ConnectionStateMachineTests.this.allGranted);
            assertThat(ConnectionStateMachineTests.this.disconnects).hasSize(1);
            disconnected(0);
            assertThat(ConnectionStateMachineTests.this.connects.get(1).socketFactory).isSameAs(this.rotated);
        }

        @Test
        void whenWaitingToReconnectThenItTriesTheNewMaterialAtOnce() {
            start();
            connackFails(0);
            rotate();
            assertThat(ConnectionStateMachineTests.this.connects).hasSize(2);
            assertThat(ConnectionStateMachineTests.this.connects.get(1).socketFactory).isSameAs(this.rotated);
            assertThat(ConnectionStateMachineTests.this.scheduler.timers()).as("no back-off left").isEmpty();
        }

        @Test
        void whenASasConnectionIsUpThenItStaysUpAndUsesTheNewMaterialNextTime() {
            connected();
            rotate();
            assertThat(ConnectionStateMachineTests.this.disconnects).isEmpty();
            assertThat(ConnectionStateMachineTests.this.machine.isConnected()).isTrue();
            lost();
            ConnectionStateMachineTests.this.scheduler.advance(FIRST_BACKOFF);
            assertThat(ConnectionStateMachineTests.this.connects.get(1).socketFactory).isSameAs(this.rotated);
        }

    }

    private record Connect(@Nullable String password, @Nullable SocketFactory socketFactory,
            IMqttActionListener listener, IMqttToken token) {
    }

    private record Subscribe(String[] filters, int[] qos, IMqttActionListener listener) {
    }

    private record Disconnect(long quiesce, IMqttActionListener listener) {
    }

}
