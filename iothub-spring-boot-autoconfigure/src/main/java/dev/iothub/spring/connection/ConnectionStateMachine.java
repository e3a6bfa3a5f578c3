package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import javax.net.SocketFactory;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.event.DisconnectReason;

/**
 * Moves the device connection through its {@link ConnectionPhase phases} (connect, subscribe, connected, renew the
 * token, wait and reconnect, expired, stop), one transition at a time on the connection thread, a single-threaded
 * {@link TaskScheduler}; the phase is the only state, so there are no locks and no flags.
 * <p>
 * Paho's callbacks only hand work to that thread. Every CONNECT, every teardown and the stop start a new
 * generation; an answer that carries an older one belongs to an attempt already given up and is ignored. A phase
 * owns at most one timer (SUBACK deadline, token renewal or reconnect back-off), cancelled when the phase is left,
 * so there is never more than one reconnect timer. Tokens, subscriptions, diagnostics, events and the publish
 * queue are delegated; the class is longer than most because its transitions read best side by side.
 */
final class ConnectionStateMachine {

    private static final Log logger = LogFactory.getLog(ConnectionStateMachine.class);

    private final IotHubConnectionSettings settings;

    private final String clientId;

    private final MqttConnectOptions options;

    private final SasTokenRenewer tokens;

    private final HubSubscriptions subscriptions;

    private final ConnectionDiagnostics diagnostics;

    private final ConnectionEventPublisher events;

    private final TaskScheduler scheduler;

    private final Clock clock;

    private volatile ConnectionPhase phase = ConnectionPhase.STOPPED;

    private volatile @Nullable Instant connectedSince;

    private volatile @Nullable DisconnectReason lastDisconnectReason;

    private volatile @Nullable String lastError;

    private volatile int attempts;

    private @Nullable IMqttAsyncClient client;

    private @Nullable PublishQueue queue;

    private @Nullable CompletableFuture<Void> firstAttempt;

    private @Nullable ScheduledFuture<?> timer;

    private @Nullable IMqttToken lastConnect;

    private @Nullable SocketFactory lastConnectSocketFactory;

    private long generation;

    private int connections;

    /**
     * @param settings the limits and timeouts
     * @param options the options of every CONNECT; the token's password is set on them before each
     * @param scheduler the connection thread: a single thread, so that transitions never overlap
     * @param clock the clock of token expiry and status times
     */
    ConnectionStateMachine(IotHubConnectionSettings settings, MqttConnectOptions options, SasTokenRenewer tokens,
            HubSubscriptions subscriptions, ConnectionDiagnostics diagnostics, ConnectionEventPublisher events,
            TaskScheduler scheduler, Clock clock) {
        this.settings = settings;
        this.clientId = settings.identity().clientId();
        this.options = options;
        this.tokens = tokens;
        this.subscriptions = subscriptions;
        this.diagnostics = diagnostics;
        this.events = events;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /**
     * Starts connecting with a new client.
     *
     * @return completed when the first attempt connected, failed or gave up
     */
    CompletableFuture<Void> start(IMqttAsyncClient client, PublishQueue queue) {
        CompletableFuture<Void> first = new CompletableFuture<>();
        boolean started = onConnectionThread(() -> {
            this.client = client;
            this.queue = queue;
            this.firstAttempt = first;
            connect();
        });
        if (!started) {
            first.complete(null);
        }
        return first;
    }

    /**
     * Opens the sockets of later CONNECTs with new TLS material (an SSL bundle's rotated certificate or trust store).
     * An X.509 connection that is up reconnects with it at once, messages waiting meanwhile, and one whose CONNECT
     * is in flight does so once it is up; a connection waiting out its back-off tries at once; a SAS connection
     * that is up stays up, since the hub already trusts it and it trusts the hub.
     *
     * @return {@code false} if the connection thread is not running (the factory is not set then)
     */
    boolean useSocketFactory(SocketFactory socketFactory) {
        return onConnectionThread(() -> {
            this.options.setSocketFactory(socketFactory);
            if (this.phase == ConnectionPhase.CONNECTED && this.settings.identity().x509()) {
                rotateCertificate();
            }
            else if (this.phase == ConnectionPhase.WAITING) {
                connect();
            }
        });
    }

    /** Paho lost the connection; called on Paho's thread. */
    void lost(Throwable cause) {
        onConnectionThread(() -> connectionLost(cause));
    }

    /**
     * Makes no more moves: cancels the timer and ignores every later answer; a connection that is up stays up so
     * that outstanding messages can complete.
     *
     * @return completed once the connection thread did so (at once if it is not running), with the token of the
     * last CONNECT sent: Paho refuses to close a client while a CONNECT is unanswered (32110), so the client must
     * be closed only once that token is complete
     */
    CompletableFuture<@Nullable IMqttToken> stop() {
        CompletableFuture<@Nullable IMqttToken> stopped = new CompletableFuture<>();
        boolean queued = onConnectionThread(() -> {
            this.generation++;
            enter(this.phase.open ? ConnectionPhase.DRAINING : ConnectionPhase.STOPPING);
            stopped.complete(this.lastConnect);
        });
        if (!queued) {
            stopped.complete(null);
        }
        return stopped;
    }

    /**
     * The last transition, made by the manager once the connection thread has ended and the client is closed (so
     * it cannot overlap another).
     */
    void stopped() {
        enter(ConnectionPhase.STOPPED);
        this.client = null;
        this.queue = null;
        this.firstAttempt = null;
        this.lastConnect = null;
        this.connectedSince = null;
        this.lastDisconnectReason = DisconnectReason.APPLICATION_STOPPED;
        this.events.disconnected(DisconnectReason.APPLICATION_STOPPED, null);
    }

    boolean isConnected() {
        return this.phase.state == IotHubConnectionState.CONNECTED;
    }

    IotHubConnectionStatus status() {
        ConnectionString identity = this.settings.identity();
        return new IotHubConnectionStatus(this.phase.state, identity.hostName(), identity.deviceId(),
                identity.moduleId(), this.connectedSince, this.lastDisconnectReason, this.lastError, this.attempts,
                this.tokens.expiry());
    }

    /** Entered from STOPPED, from WAITING when the back-off ends, or from RENEWING_DISCONNECT. */
    private void connect() {
        IMqttAsyncClient mqtt = client();
        boolean renewal = this.phase == ConnectionPhase.RENEWING_DISCONNECT;
        enter(renewal ? ConnectionPhase.RENEWING_CONNECT : ConnectionPhase.CONNECTING);
        if (mqtt.isConnected()) {
            logger.debug("The previous connection of " + this.clientId + " is still closing; trying again later");
            scheduleReconnect(null);
            return;
        }
        long attempt = ++this.generation;
        if (!this.tokens.presentToken(this.options)) {
            expire(null);
            return;
        }
        this.lastConnectSocketFactory = this.options.getSocketFactory();
        try {
            this.lastConnect = mqtt.connect(this.options, null,
                    whenCurrent(attempt, (token) -> subscribe(), this::connectFailed));
        }
        catch (MqttException ex) {
            connectFailed(ex);
        }
    }

    private void subscribe() {
        Duration timeout = this.settings.connectTimeout();
        boolean renewal = this.phase == ConnectionPhase.RENEWING_CONNECT;
        enter(renewal ? ConnectionPhase.RENEWING_SUBSCRIBE : ConnectionPhase.SUBSCRIBING);
        startTimer(() -> subscribeFailed(this.diagnostics.subscribeTimedOut(timeout), null), timeout);
        try {
            this.subscriptions.subscribe(client(), whenCurrent(this.generation, this::subscribeAnswered,
                    (ex) -> subscribeFailed(this.diagnostics.subscribeFailed(ex), ex)));
        }
        catch (MqttException ex) {
            subscribeFailed(this.diagnostics.subscribeFailed(ex), ex);
        }
    }

    private void subscribeAnswered(IMqttToken token) {
        List<String> refused = this.subscriptions.refused(token.getGrantedQos());
        if (refused.isEmpty()) {
            up();
        }
        else {
            subscribeFailed(this.diagnostics.subscriptionRefused(refused),
                    new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED));
        }
    }

    private void up() {
        boolean renewal = this.phase == ConnectionPhase.RENEWING_SUBSCRIBE;
        boolean reconnect = this.connections > 0;
        this.connections++;
        this.diagnostics.connected();
        this.attempts = 0;
        this.lastError = null;
        this.connectedSince = this.clock.instant();
        enter(ConnectionPhase.CONNECTED);
        Duration renewIn = this.tokens.renewalDelay();
        Duration warnIn = this.tokens.expiryWarningDelay();
        if (renewIn != null) {
            startTimer(this::renew, renewIn);
        }
        else if (warnIn != null) {
            startTimer(this.tokens::warnExpiring, warnIn);
        }
        completeFirstAttempt();
        Instant expiry = this.tokens.expiry();
        if (renewal && expiry != null) {
            logger.debug("Renewed the SAS token of " + this.clientId + "; it expires at " + expiry);
            this.events.tokenRenewed(expiry);
        }
        else {
            logger.info("Connected to IoT Hub " + this.settings.identity().hostName() + " as " + this.clientId
                    + (reconnect ? " (reconnected)" : ""));
            this.events.connected(reconnect);
        }
        if (this.settings.identity().x509() && this.options.getSocketFactory() != this.lastConnectSocketFactory) {
            rotateCertificate();
        }
    }

    /** Reconnects on purpose with the certificate of a changed SSL bundle; messages wait meanwhile. */
    private void rotateCertificate() {
        logger.info("The SSL bundle of " + this.clientId + " changed; reconnecting with its certificate");
        this.lastDisconnectReason = DisconnectReason.CERTIFICATE_ROTATED;
        this.events.disconnected(DisconnectReason.CERTIFICATE_ROTATED, null);
        renew();
    }

    /**
     * Disconnects on purpose so that the next CONNECT presents a fresh token (or a rotated certificate); messages
     * wait meanwhile.
     */
    private void renew() {
        enter(ConnectionPhase.RENEWING_DISCONNECT);
        try {
            client().disconnect(this.settings.shutdownTimeout().toMillis(), null,
                    whenCurrent(this.generation, (token) -> connect(), (ex) -> connect()));
        }
        catch (MqttException ex) {
            logger.debug("Could not disconnect to renew the SAS token; reconnecting", ex);
            connect();
        }
    }

    /**
     * Ends a connection whose subscriptions failed: it is useless without them. The disconnect runs on Paho's
     * threads, and the reconnect is scheduled when it is done (or at once if there was nothing to disconnect).
     */
    private void subscribeFailed(String description, @Nullable Throwable exception) {
        long dropped = ++this.generation;
        logger.error(description + "; reconnecting");
        this.lastDisconnectReason = DisconnectReason.SUBSCRIBE_FAILED;
        this.lastError = description;
        enter(ConnectionPhase.DROPPING);
        this.events.disconnected(DisconnectReason.SUBSCRIBE_FAILED, exception);
        try {
            client().disconnect(0, null, whenCurrent(dropped, (token) -> scheduleReconnect(exception),
                    (ex) -> scheduleReconnect(exception)));
        }
        catch (MqttException ex) {
            logger.debug("Could not drop the half-open connection", ex);
            scheduleReconnect(exception);
        }
    }

    private void connectFailed(Throwable exception) {
        ConnectionDiagnostics.Diagnosis diagnosis = this.diagnostics.connectFailed(exception);
        this.lastDisconnectReason = diagnosis.reason();
        this.lastError = diagnosis.explained();
        if (diagnosis.reason() == DisconnectReason.NOT_AUTHORIZED && this.tokens.hasExpiredForGood()) {
            expire(exception);
            return;
        }
        this.diagnostics.logConnectFailed(diagnosis, this.attempts + 1);
        scheduleReconnect(exception);
    }

    private void connectionLost(Throwable cause) {
        switch (this.phase) {
            case STOPPED, STOPPING -> {
                return;
            }
            case DRAINING -> {
                // Nothing more will be acknowledged: let the drain end
                pauseQueue();
                return;
            }
            case WAITING, DROPPING, EXPIRED -> {
                logger.debug("Connection of " + this.clientId + " closed after it was given up: " + cause);
                return;
            }
            default -> {
                // CONNECTING, SUBSCRIBING, CONNECTED or renewing: this connection is given up
            }
        }
        this.generation++;
        boolean tokenExpired = this.tokens.hasExpired();
        Instant since = this.connectedSince;
        this.connectedSince = null;
        if (tokenExpired && this.tokens.hasExpiredForGood()) {
            expire(cause);
            return;
        }
        DisconnectReason reason = tokenExpired ? DisconnectReason.SAS_TOKEN_EXPIRED : DisconnectReason.CONNECTION_LOST;
        this.lastDisconnectReason = reason;
        this.lastError = this.diagnostics.connectionLost(cause, tokenExpired);
        this.diagnostics.closedAfter((since != null) ? Duration.between(since, this.clock.instant()) : null, cause);
        logger.warn("Lost the connection to IoT Hub as " + this.clientId + ": " + this.lastError);
        this.events.disconnected(reason, cause);
        scheduleReconnect(cause);
    }

    /** Waits out the back-off before the next attempt; entered only from phases that have no reconnect timer. */
    private void scheduleReconnect(@Nullable Throwable cause) {
        this.attempts++;
        Duration delay = this.settings.backoff().delay(this.attempts, ThreadLocalRandom.current()::nextDouble);
        enter(ConnectionPhase.WAITING);
        completeFirstAttempt();
        this.events.reconnecting(this.attempts, delay, cause);
        startTimer(this::connect, delay);
    }

    private void expire(@Nullable Throwable cause) {
        enter(ConnectionPhase.EXPIRED);
        this.lastDisconnectReason = DisconnectReason.SAS_TOKEN_EXPIRED;
        this.lastError = this.tokens.expiredMessage();
        logger.error(this.lastError);
        completeFirstAttempt();
        this.events.disconnected(DisconnectReason.SAS_TOKEN_EXPIRED, cause);
    }

    /** Leaves the current phase: cancels its timer, and opens or pauses the publish queue for the next. */
    private void enter(ConnectionPhase next) {
        ScheduledFuture<?> previous = this.timer;
        if (previous != null) {
            previous.cancel(false);
            this.timer = null;
        }
        PublishQueue publishQueue = this.queue;
        if (publishQueue != null && next.open && !this.phase.open) {
            publishQueue.open();
        }
        else if (!next.open) {
            pauseQueue();
        }
        this.phase = next;
    }

    private void pauseQueue() {
        PublishQueue publishQueue = this.queue;
        if (publishQueue != null) {
            publishQueue.pause();
        }
    }

    private void startTimer(Runnable task, Duration delay) {
        try {
            this.timer = this.scheduler.schedule(task, this.scheduler.getClock().instant().plus(delay));
        }
        catch (RejectedExecutionException | IllegalStateException ex) {
            logger.trace("Connection thread stopped; no timer");
        }
    }

    private void completeFirstAttempt() {
        CompletableFuture<Void> first = this.firstAttempt;
        if (first != null) {
            first.complete(null);
        }
    }

    private IMqttAsyncClient client() {
        IMqttAsyncClient mqtt = this.client;
        if (mqtt == null) {
            throw new IllegalStateException("The connection of " + this.clientId + " is not started");
        }
        return mqtt;
    }

    /** Runs a task on the connection thread; {@code false} if that thread is not running. */
    private boolean onConnectionThread(Runnable task) {
        try {
            this.scheduler.schedule(task, this.scheduler.getClock().instant());
            return true;
        }
        catch (RejectedExecutionException | IllegalStateException ex) {
            logger.trace("Connection thread stopped; ignoring task");
            return false;
        }
    }

    /** Hands Paho's answer to the connection thread, where it is acted on only if its attempt is still current. */
    private IMqttActionListener whenCurrent(long attempt, Consumer<IMqttToken> success, Consumer<Throwable> failure) {
        return new IMqttActionListener() {

            @Override
            public void onSuccess(IMqttToken token) {
                onConnectionThread(() -> {
                    if (attempt == ConnectionStateMachine.this.generation) {
                        success.accept(token);
                    }
                });
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                onConnectionThread(() -> {
                    if (attempt == ConnectionStateMachine.this.generation) {
                        failure.accept(exception);
                    }
                });
            }

        };
    }

}
