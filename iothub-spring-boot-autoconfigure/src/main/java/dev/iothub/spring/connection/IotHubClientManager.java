package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;
import org.springframework.integration.mqtt.core.Mqttv3ClientManager;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;

/**
 * The one MQTT connection of an IoT Hub device or module identity, shared by everything that talks to the hub,
 * including any Spring Integration MQTT adapter built on it.
 * <p>
 * Unlike a plain {@link Mqttv3ClientManager} it keeps a single Paho client for its whole life and drives the
 * connection itself: it mints a SAS token for every CONNECT, subscribes the four IoT Hub filters after every
 * connect, reconnects forever with capped exponential back-off and jitter, renews the SAS token before it expires
 * without failing any message, publishes {@link IotHubConnectedEvent}, {@link IotHubDisconnectedEvent} and
 * {@link IotHubReconnectingEvent}, and on stop waits (bounded) for in-flight acknowledgements before it disconnects.
 * Paho's callback thread is never blocked: all work runs on named threads owned by this manager.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubClientManager extends Mqttv3ClientManager {

    /** The product identifier sent to the hub in the MQTT username. */
    public static final String CLIENT_TYPE = "iothub-spring-boot/0.1.0";

    private static final int MAX_MESSAGE_SIZE = 256 * 1024;

    private static final Duration SHORT_LIVED_CONNECTION = Duration.ofSeconds(30);

    private final IotHubConnectionSettings settings;

    private final ConnectionString identity;

    private final @Nullable SasTokenProvider tokens;

    private final Clock clock;

    private final List<IotHubConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();

    private volatile @Nullable InboundMessageListener inboundListener;

    private volatile @Nullable IMqttAsyncClient mqtt;

    private volatile IotHubConnectionState state = IotHubConnectionState.STOPPED;

    private volatile @Nullable Instant connectedSince;

    private volatile @Nullable DisconnectReason lastDisconnectReason;

    private volatile @Nullable String lastError;

    private volatile int attempts;

    private volatile @Nullable SasToken currentToken;

    private volatile boolean everConnected;

    private volatile boolean renewing;

    private volatile boolean stopping;

    private boolean connectInProgress;

    private long generation;

    private int shortLivedConnections;

    private @Nullable String lastExplainedCause;

    private @Nullable ScheduledFuture<?> renewal;

    private @Nullable ScheduledFuture<?> reconnectTimer;

    private @Nullable ScheduledFuture<?> subscribeDeadline;

    private final ThreadLocal<Boolean> onPahoCallback = new ThreadLocal<>();

    private final ConnectionDiagnostics diagnostics;

    private @Nullable ScheduledExecutorService scheduler;

    private @Nullable ExecutorService callbacks;

    private @Nullable PublishQueue publishQueue;

    private @Nullable CountDownLatch firstAttempt;

    /**
     * Creates a manager; nothing connects before {@link #start()}.
     *
     * @param settings the identity, credentials and limits
     * @param tokens the SAS token source, or {@code null} for X.509 authentication
     * @param clock the clock used for token expiry and status times
     */
    public IotHubClientManager(IotHubConnectionSettings settings, @Nullable SasTokenProvider tokens, Clock clock) {
        super(connectOptions(settings), settings.identity().clientId());
        // Set after construction: the super constructor recommends Paho's automatic reconnect, which this class
        // replaces with its own so that every attempt carries a fresh token and a jittered delay.
        getConnectionInfo().setAutomaticReconnect(false);
        this.settings = settings;
        this.identity = settings.identity();
        this.tokens = tokens;
        this.clock = clock;
        this.diagnostics = new ConnectionDiagnostics(settings.identity().clientId(), settings.socketHost(),
                settings.port());
        setManualAcks(true);
        setCompletionTimeout(settings.connectTimeout().toMillis());
        setQuiescentTimeout(settings.shutdownTimeout().toMillis());
    }

    private static MqttConnectOptions connectOptions(IotHubConnectionSettings settings) {
        ConnectionString identity = settings.identity();
        MqttConnectOptions options = new MqttConnectOptions();
        options.setServerURIs(new String[] { settings.serverUri() });
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(MqttUsername.format(identity.hostName(), identity.deviceId(), identity.moduleId(),
                settings.modelId(), CLIENT_TYPE));
        options.setCleanSession(settings.cleanSession());
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        options.setMaxInflight(settings.maxInFlight() * 2 + 10);
        options.setAutomaticReconnect(true);
        options.setHttpsHostnameVerificationEnabled(true);
        if (settings.socketFactory() != null) {
            options.setSocketFactory(settings.socketFactory());
        }
        return options;
    }

    /** The identity this connection authenticates as. */
    public ConnectionString getIdentity() {
        return this.identity;
    }

    /** The settings of this connection. */
    public IotHubConnectionSettings getSettings() {
        return this.settings;
    }

    /** Sets the receiver of every message the hub publishes to this device. */
    public void setInboundMessageListener(InboundMessageListener inboundListener) {
        this.inboundListener = inboundListener;
    }

    /** Adds a hook called each time the connection is up and subscribed. */
    public void addConnectionListener(IotHubConnectionListener listener) {
        this.connectionListeners.add(listener);
    }

    /** A snapshot of the connection state; never contains a secret. */
    public IotHubConnectionStatus getStatus() {
        SasToken token = this.currentToken;
        return new IotHubConnectionStatus(this.state, this.identity.hostName(), this.identity.deviceId(),
                this.identity.moduleId(), this.connectedSince, this.lastDisconnectReason, this.lastError,
                this.attempts, (token != null) ? token.expiry() : null);
    }

    /**
     * Publishes a message. The message waits while the connection is down and is sent again if the connection
     * drops before the hub acknowledges it.
     *
     * @param topic the topic
     * @param payload the payload
     * @param qos 0 or 1 (IoT Hub closes the connection on QoS 2)
     * @return a future completed when the hub acknowledged the message (QoS 1) or it was written (QoS 0); for
     * telemetry it fails with {@link IotHubBackPressureException} when too many messages are outstanding (topics
     * under {@code $iothub/}, twin requests and method answers, are never refused for that)
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        if (qos < 0 || qos > 1) {
            throw new IllegalArgumentException("IoT Hub accepts QoS 0 and 1 only");
        }
        if (payload.length > MAX_MESSAGE_SIZE) {
            return CompletableFuture.failedFuture(new IotHubException("The message has " + payload.length
                    + " bytes; IoT Hub accepts at most " + MAX_MESSAGE_SIZE + " and would close the connection"));
        }
        PublishQueue queue = this.publishQueue;
        if (queue == null) {
            return CompletableFuture.failedFuture(new IotHubException("The IoT Hub connection is not running"));
        }
        return queue.submit(topic, payload, qos, this.onPahoCallback.get() == null);
    }

    /** The executor that completes the futures returned to users; never Paho's thread. */
    public Executor getCallbackExecutor() {
        ExecutorService executor = this.callbacks;
        return (executor != null) ? executor : Runnable::run;
    }

    /**
     * Runs a task on the connection thread after a delay.
     *
     * @return {@code false} if the connection is not running
     */
    public boolean schedule(Runnable task, Duration delay) {
        ScheduledExecutorService executor = this.scheduler;
        if (executor == null) {
            return false;
        }
        try {
            executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        }
        catch (RejectedExecutionException ex) {
            return false;
        }
    }

    @Override
    public void start() {
        this.lock.lock();
        try {
            if (getClient() != null) {
                return;
            }
            MqttAsyncClient client;
            try {
                client = new MqttAsyncClient(getUrl(), getClientId(), new MemoryPersistence());
            }
            catch (MqttException ex) {
                throw new IllegalStateException("Could not create the MQTT client for " + getClientId(), ex);
            }
            client.setManualAcks(true);
            client.setCallback(this);
            setClient(client);
            this.mqtt = client;
            this.stopping = false;
            this.scheduler = timerExecutor(daemonThreads("iothub-connection-" + getClientId() + "-"));
            this.callbacks = Executors.newSingleThreadExecutor(
                    daemonThreads("iothub-callbacks-" + getClientId() + "-"));
            this.publishQueue = new PublishQueue(getClientId(), () -> this.mqtt, this.callbacks,
                    this.settings.maxInFlight(), this.settings.maxPending(), this.settings.sendTimeout());
            this.publishQueue.start();
            this.firstAttempt = new CountDownLatch(1);
            this.state = IotHubConnectionState.CONNECTING;
            execute(this::connect);
        }
        finally {
            this.lock.unlock();
        }
        awaitFirstAttempt();
    }

    private void awaitFirstAttempt() {
        CountDownLatch latch = this.firstAttempt;
        if (latch == null) {
            return;
        }
        try {
            if (!latch.await(this.settings.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                logger.warn("IoT Hub did not answer within " + this.settings.connectTimeout()
                        + "; the application starts and the connection keeps trying in the background");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static CustomizableThreadFactory daemonThreads(String prefix) {
        CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
        factory.setDaemon(true);
        return factory;
    }

    private void connect() {
        this.reconnectTimer = null;
        IMqttAsyncClient client = this.mqtt;
        if (this.stopping || client == null || this.connectInProgress) {
            return;
        }
        if (client.isConnected()) {
            logger.debug("The previous connection of " + getClientId() + " is still closing; trying again later");
            scheduleReconnect(null);
            return;
        }
        long attempt = ++this.generation;
        this.state = this.renewing ? IotHubConnectionState.RENEWING_TOKEN : IotHubConnectionState.CONNECTING;
        if (this.tokens != null) {
            SasToken token = this.tokens.getToken();
            if (!this.tokens.isRenewable() && token.isExpiredAt(this.clock.instant())) {
                expired(token, null);
                return;
            }
            this.currentToken = token;
            getConnectionInfo().setPassword(token.text().toCharArray());
        }
        this.connectInProgress = true;
        try {
            client.connect(getConnectionInfo(), null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    execute(() -> {
                        IotHubClientManager.this.connectInProgress = false;
                        if (isCurrent(attempt)) {
                            subscribe(client, attempt);
                        }
                    });
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    execute(() -> {
                        IotHubClientManager.this.connectInProgress = false;
                        if (isCurrent(attempt)) {
                            connectFailed(exception);
                        }
                    });
                }

            });
        }
        catch (MqttException ex) {
            this.connectInProgress = false;
            connectFailed(ex);
        }
    }

    private boolean isCurrent(long attempt) {
        return attempt == this.generation && !this.stopping;
    }

    private void subscribe(IMqttAsyncClient client, long attempt) {
        String[] filters = { Topics.cloudToDeviceFilter(this.identity.deviceId(), this.identity.moduleId()),
                Topics.METHODS_FILTER, Topics.TWIN_RESPONSES_FILTER, Topics.DESIRED_PROPERTIES_FILTER };
        int[] qos = { 1, 0, 0, 0 };
        IMqttMessageListener listener = this::messageArrived;
        IMqttMessageListener[] listeners = { listener, listener, listener, listener };
        Duration timeout = this.settings.connectTimeout();
        this.subscribeDeadline = scheduleFuture(() -> {
            if (isCurrent(attempt)) {
                subscribeFailed(client, "IoT Hub did not answer the SUBSCRIBE of " + getClientId() + " within "
                        + timeout + " (iothub.connect-timeout)", null);
            }
        }, timeout);
        try {
            client.subscribe(filters, qos, null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getGrantedQos();
                    execute(() -> {
                        if (isCurrent(attempt)) {
                            subscribeAnswered(client, filters, granted);
                        }
                    });
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    execute(() -> {
                        if (isCurrent(attempt)) {
                            subscribeFailed(client, "Subscribing " + getClientId() + " failed: "
                                    + ConnectionDiagnostics.describe(exception), exception);
                        }
                    });
                }

            }, listeners);
        }
        catch (MqttException ex) {
            subscribeFailed(client, "Subscribing " + getClientId() + " failed: " + ConnectionDiagnostics.describe(ex),
                    ex);
        }
    }

    private void subscribeAnswered(IMqttAsyncClient client, String[] filters, int[] granted) {
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            if (i >= granted.length || granted[i] == 0x80) {
                refused.add(filters[i]);
            }
        }
        if (refused.isEmpty()) {
            subscribed();
        }
        else {
            subscribeFailed(client, "IoT Hub refused the subscription of " + getClientId() + " to "
                    + String.join(", ", refused), new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED));
        }
    }

    private void subscribed() {
        cancel(this.subscribeDeadline);
        this.subscribeDeadline = null;
        this.lastExplainedCause = null;
        boolean reconnect = this.everConnected;
        boolean tokenRenewal = this.renewing;
        this.everConnected = true;
        this.renewing = false;
        this.attempts = 0;
        this.lastError = null;
        this.connectedSince = this.clock.instant();
        this.state = IotHubConnectionState.CONNECTED;
        PublishQueue queue = this.publishQueue;
        if (queue != null) {
            queue.open();
        }
        scheduleRenewal();
        releaseFirstAttempt();
        SasToken token = this.currentToken;
        if (tokenRenewal && token != null) {
            logger.debug("Renewed the SAS token of " + getClientId() + "; it expires at " + token.expiry());
            publish(new IotHubSasTokenRenewedEvent(this, getClientId(), token.expiry()));
        }
        else {
            logger.info("Connected to IoT Hub " + this.identity.hostName() + " as " + getClientId()
                    + (reconnect ? " (reconnected)" : ""));
            publish(new IotHubConnectedEvent(this, getClientId(), reconnect));
        }
        for (IotHubConnectionListener listener : this.connectionListeners) {
            try {
                listener.connected(reconnect, tokenRenewal);
            }
            catch (RuntimeException ex) {
                logger.error("Connection listener failed", ex);
            }
        }
    }

    /**
     * Ends a connection whose subscriptions failed: the connection is useless without them. The disconnect runs on
     * Paho's threads, and the reconnect follows when it is done (or at once if there was nothing to disconnect).
     */
    private void subscribeFailed(IMqttAsyncClient client, String description, @Nullable Throwable exception) {
        cancel(this.subscribeDeadline);
        this.subscribeDeadline = null;
        this.generation++;
        logger.error(description + "; reconnecting");
        this.lastDisconnectReason = DisconnectReason.SUBSCRIBE_FAILED;
        this.lastError = description;
        this.state = IotHubConnectionState.RECONNECTING;
        PublishQueue queue = this.publishQueue;
        if (queue != null) {
            queue.pause();
        }
        publish(new IotHubDisconnectedEvent(this, getClientId(), DisconnectReason.SUBSCRIBE_FAILED, exception));
        try {
            client.disconnect(0, null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    execute(() -> scheduleReconnect(exception));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    execute(() -> scheduleReconnect(exception));
                }

            });
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
        SasToken token = this.currentToken;
        if (diagnosis.reason() == DisconnectReason.NOT_AUTHORIZED && this.tokens != null
                && !this.tokens.isRenewable() && token != null && token.isExpiredAt(this.clock.instant())) {
            expired(token, exception);
            return;
        }
        if (diagnosis.key().equals(this.lastExplainedCause)) {
            logger.info(diagnosis.summary() + " (attempt " + (this.attempts + 1) + ")");
        }
        else {
            logger.warn(diagnosis.explained());
            this.lastExplainedCause = diagnosis.key();
        }
        scheduleReconnect(exception);
    }

    /** Schedules the next attempt after the back-off, unless one is already scheduled. */
    private void scheduleReconnect(@Nullable Throwable cause) {
        if (this.stopping) {
            return;
        }
        if (this.reconnectTimer != null) {
            logger.debug("A reconnect of " + getClientId() + " is already scheduled");
            return;
        }
        this.renewing = false;
        this.attempts++;
        Duration delay = this.settings.backoff().delay(this.attempts, ThreadLocalRandom.current()::nextDouble);
        this.state = IotHubConnectionState.RECONNECTING;
        PublishQueue queue = this.publishQueue;
        if (queue != null) {
            queue.pause();
        }
        releaseFirstAttempt();
        publish(new IotHubReconnectingEvent(this, getClientId(), this.attempts, delay, cause));
        this.reconnectTimer = scheduleFuture(this::connect, delay);
    }

    private void expired(SasToken token, @Nullable Throwable cause) {
        this.state = IotHubConnectionState.EXPIRED;
        this.lastDisconnectReason = DisconnectReason.SAS_TOKEN_EXPIRED;
        this.lastError = "The configured SharedAccessSignature expired at " + token.expiry()
                + " and cannot be renewed; configure a SharedAccessKey (iothub.shared-access-key or the connection "
                + "string) so the connection can mint its own tokens";
        logger.error(this.lastError);
        releaseFirstAttempt();
        publish(new IotHubDisconnectedEvent(this, getClientId(), DisconnectReason.SAS_TOKEN_EXPIRED, cause));
    }

    private void releaseFirstAttempt() {
        CountDownLatch latch = this.firstAttempt;
        if (latch != null) {
            latch.countDown();
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        execute(() -> lost(cause));
    }

    private void lost(Throwable cause) {
        PublishQueue queue = this.publishQueue;
        if (queue != null) {
            queue.pause();
        }
        if (this.stopping) {
            return;
        }
        if (this.state == IotHubConnectionState.RECONNECTING || this.state == IotHubConnectionState.EXPIRED) {
            logger.debug("Connection of " + getClientId() + " closed after it was given up: " + cause);
            return;
        }
        this.generation++;
        cancel(this.subscribeDeadline);
        this.subscribeDeadline = null;
        cancelRenewal();
        SasToken token = this.currentToken;
        DisconnectReason reason = (token != null && token.isExpiredAt(this.clock.instant()))
                ? DisconnectReason.SAS_TOKEN_EXPIRED : DisconnectReason.CONNECTION_LOST;
        Instant since = this.connectedSince;
        this.connectedSince = null;
        if (token != null && reason == DisconnectReason.SAS_TOKEN_EXPIRED && this.tokens != null
                && !this.tokens.isRenewable()) {
            expired(token, cause);
            return;
        }
        this.lastDisconnectReason = reason;
        this.lastError = (reason == DisconnectReason.SAS_TOKEN_EXPIRED)
                ? "The SAS token expired; " + ConnectionDiagnostics.describe(cause)
                : ConnectionDiagnostics.describe(cause);
        warnIfClosedRepeatedly(since, cause);
        logger.warn("Lost the connection to IoT Hub as " + getClientId() + ": " + this.lastError);
        publish(new IotHubDisconnectedEvent(this, getClientId(), reason, cause));
        scheduleReconnect(cause);
    }

    /**
     * Says so when the hub keeps closing connections it accepted. From the device side a duplicate identity looks
     * like any other hub-side close (MQTT 3.1.1 carries no reason), so the warning names it as one possibility.
     */
    private void warnIfClosedRepeatedly(@Nullable Instant since, Throwable cause) {
        boolean closedByPeer = cause instanceof MqttException mqtt
                && mqtt.getReasonCode() == MqttException.REASON_CODE_CONNECTION_LOST;
        boolean shortLived = closedByPeer && since != null
                && Duration.between(since, this.clock.instant()).compareTo(SHORT_LIVED_CONNECTION) < 0;
        this.shortLivedConnections = shortLived ? this.shortLivedConnections + 1 : 0;
        if (this.shortLivedConnections == 3) {
            logger.warn("The connection of " + getClientId() + " was closed from the hub's side three times in a row "
                    + "within " + SHORT_LIVED_CONNECTION.toSeconds() + " s of connecting, each time after IoT Hub had "
                    + "accepted it. Possible causes: another client connecting with the same identity (IoT Hub "
                    + "error 400027: each new connection closes the previous one), the identity being disabled or "
                    + "its keys regenerated at the hub, a gateway or proxy closing idle or long connections, or the "
                    + "hub being restarted. Check the hub's connection logs for " + getClientId());
        }
    }

    private void scheduleRenewal() {
        cancelRenewal();
        SasToken token = this.currentToken;
        if (this.tokens == null || token == null) {
            return;
        }
        Instant now = this.clock.instant();
        Duration left = Duration.between(now, token.expiry());
        if (this.tokens.isRenewable()) {
            Duration lifetime = this.settings.sasTimeToLive();
            long renewInMillis = (long) (lifetime.toMillis() * this.settings.sasRenewalThreshold())
                    - (lifetime.toMillis() - left.toMillis());
            this.renewal = scheduleFuture(this::renew, Duration.ofMillis(Math.max(0, renewInMillis)));
        }
        else {
            Duration warnIn = left.minus(Duration.ofMinutes(15));
            this.renewal = scheduleFuture(() -> logger.warn("The configured SharedAccessSignature of " + getClientId()
                    + " expires at " + token.expiry() + " and cannot be renewed; the connection will end then. "
                    + "Configure a SharedAccessKey instead"), warnIn.isNegative() ? Duration.ZERO : warnIn);
        }
    }

    private void cancelRenewal() {
        cancel(this.renewal);
        this.renewal = null;
    }

    private static void cancel(@Nullable ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void renew() {
        IMqttAsyncClient client = this.mqtt;
        if (this.stopping || client == null || this.state != IotHubConnectionState.CONNECTED) {
            return;
        }
        this.renewing = true;
        this.state = IotHubConnectionState.RENEWING_TOKEN;
        PublishQueue queue = this.publishQueue;
        if (queue != null) {
            queue.pause();
        }
        try {
            client.disconnect(this.settings.shutdownTimeout().toMillis(), null, new IMqttActionListener() {

                @Override
                public void onSuccess(IMqttToken token) {
                    execute(IotHubClientManager.this::reconnectAfterRenewal);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    execute(IotHubClientManager.this::reconnectAfterRenewal);
                }

            });
        }
        catch (MqttException ex) {
            logger.debug("Could not disconnect to renew the SAS token; reconnecting", ex);
            reconnectAfterRenewal();
        }
    }

    /** Connects with a fresh token, unless the connection was lost meanwhile and a reconnect is scheduled. */
    private void reconnectAfterRenewal() {
        if (this.state == IotHubConnectionState.RENEWING_TOKEN && this.reconnectTimer == null) {
            connect();
        }
    }

    /** Paho's callback thread; marked so that a publish from here never waits for a telemetry permit. */
    @Override
    public void messageArrived(String topic, MqttMessage message) {
        this.onPahoCallback.set(Boolean.TRUE);
        try {
            super.messageArrived(topic, message);
            deliver(topic, message);
        }
        finally {
            this.onPahoCallback.remove();
        }
    }

    private void deliver(String topic, MqttMessage message) {
        InboundMessageListener listener = this.inboundListener;
        IMqttAsyncClient client = this.mqtt;
        Runnable acknowledgement = () -> acknowledge(client, message);
        if (listener == null) {
            logger.debug("No inbound listener; dropping message on " + topic);
            acknowledgement.run();
            return;
        }
        listener.messageArrived(topic, message.getPayload(), acknowledgement);
    }

    private void acknowledge(@Nullable IMqttAsyncClient client, MqttMessage message) {
        if (client == null || message.getQos() == 0) {
            return;
        }
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        }
        catch (MqttException | RuntimeException ex) {
            logger.debug("Could not acknowledge message " + message.getId() + "; the hub will deliver it again", ex);
        }
    }

    @Override
    public void stop() {
        this.lock.lock();
        try {
            IMqttAsyncClient client = this.mqtt;
            if (client == null) {
                return;
            }
            this.stopping = true;
            cancelRenewal();
            PublishQueue queue = this.publishQueue;
            if (queue != null && !queue.drain(this.settings.shutdownTimeout())) {
                logger.warn(queue.size() + " message(s) were not acknowledged by IoT Hub before shutdown");
            }
            shutdown(this.scheduler);
            boolean wasConnected = client.isConnected();
            try {
                if (wasConnected) {
                    client.disconnect(this.settings.shutdownTimeout().toMillis())
                        .waitForCompletion(this.settings.shutdownTimeout().toMillis() + 1000);
                }
            }
            catch (MqttException ex) {
                logger.debug("Could not disconnect cleanly; closing", ex);
                try {
                    client.disconnectForcibly(0, 1000);
                }
                catch (MqttException ignored) {
                    // already down
                }
            }
            finally {
                try {
                    client.close();
                }
                catch (MqttException ex) {
                    logger.debug("Could not close the MQTT client", ex);
                }
                setClient(null);
                this.mqtt = null;
            }
            if (queue != null) {
                queue.stop();
            }
            this.state = IotHubConnectionState.STOPPED;
            this.connectedSince = null;
            this.lastDisconnectReason = DisconnectReason.APPLICATION_STOPPED;
            publish(new IotHubDisconnectedEvent(this, getClientId(), DisconnectReason.APPLICATION_STOPPED, null));
            shutdown(this.callbacks);
            this.scheduler = null;
            this.callbacks = null;
            this.publishQueue = null;
            if (wasConnected) {
                logger.info("Disconnected from IoT Hub as " + getClientId());
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /**
     * A single-thread scheduler whose pending timers (token renewal, reconnect back-off) are dropped at shutdown
     * instead of being waited for.
     */
    private static ScheduledExecutorService timerExecutor(ThreadFactory threads) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private void shutdown(@Nullable ExecutorService executor) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        }
        catch (InterruptedException ex) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isConnected() {
        return this.state == IotHubConnectionState.CONNECTED;
    }

    private void execute(Runnable task) {
        ScheduledExecutorService executor = this.scheduler;
        if (executor == null) {
            return;
        }
        try {
            executor.execute(task);
        }
        catch (RejectedExecutionException ex) {
            logger.trace("Connection thread stopped; ignoring task");
        }
    }

    private @Nullable ScheduledFuture<?> scheduleFuture(Runnable task, Duration delay) {
        ScheduledExecutorService executor = this.scheduler;
        if (executor == null) {
            return null;
        }
        try {
            return executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (RejectedExecutionException ex) {
            return null;
        }
    }

    private void publish(ApplicationEvent event) {
        try {
            getApplicationEventPublisher().publishEvent(event);
        }
        catch (RuntimeException ex) {
            logger.warn("An IoT Hub connection event listener failed", ex);
        }
    }

}
