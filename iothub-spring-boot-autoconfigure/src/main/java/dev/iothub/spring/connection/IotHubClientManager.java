package dev.iothub.spring.connection;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLSocketFactory;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.DefaultMqttPahoClientFactory;
import org.springframework.integration.mqtt.core.MqttPahoClientFactory;
import org.springframework.integration.mqtt.core.Mqttv3ClientManager;
import org.springframework.scheduling.TaskScheduler;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.spring.buffer.DiskBufferOptions;
import dev.iothub.spring.buffer.TelemetryLog;
import dev.iothub.spring.connection.network.HubSocketFactory;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;

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
 * <p>
 * This class only adapts: it owns the Paho client, the threads and the publish queue from {@code start()} to
 * {@code stop()} and hands Paho's callbacks on. The connection's phases live in a {@code ConnectionStateMachine},
 * messages in a {@code PublishQueue}. Its threads are created here rather than as beans for the reasons given on
 * {@code ConnectionThreads}. It is over 300 lines for the documented public API that the templates, the router and
 * Spring Integration adapters use, and for the start and stop sequences, whose order matters and reads best whole.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubClientManager extends Mqttv3ClientManager {

    /** The product identifier sent to the hub in the MQTT username. */
    public static final String CLIENT_TYPE = "iothub-spring-boot/0.1.0";

    private static final int MAX_MESSAGE_SIZE = 256 * 1024;

    private final MqttPahoClientFactory clientFactory;

    private final Clock clock;

    private final ConnectionThreads threads;

    private final ConnectionEventPublisher events;

    private volatile IotHubConnectionSettings settings;

    private volatile ConnectionStateMachine connection;

    private final InboundDelivery inbound = new InboundDelivery(() -> this.mqtt);

    private final ThreadLocal<Boolean> onPahoCallback = new ThreadLocal<>();

    private volatile @Nullable IMqttAsyncClient mqtt;

    private volatile @Nullable PublishQueue publishQueue;

    private @Nullable DiskBufferOptions bufferOptions;

    /**
     * Creates a manager; nothing connects before {@link #start()}.
     *
     * @param settings the identity, credentials and limits
     * @param tokens the SAS token source, or {@code null} for X.509 authentication
     * @param clock the clock used for token expiry and status times
     */
    public IotHubClientManager(IotHubConnectionSettings settings, @Nullable SasTokenProvider tokens, Clock clock) {
        // Without a persistence the factory's clients each get their own MemoryPersistence (never file persistence)
        this(settings, tokens, clock, new DefaultMqttPahoClientFactory());
    }

    IotHubClientManager(IotHubConnectionSettings settings, @Nullable SasTokenProvider tokens, Clock clock,
            MqttPahoClientFactory clientFactory) {
        super(connectOptions(settings), settings.identity().clientId());
        // Set after construction: the super constructor recommends Paho's automatic reconnect, which this class
        // replaces with its own so that every attempt carries a fresh token and a jittered delay.
        getConnectionInfo().setAutomaticReconnect(false);
        this.settings = settings;
        this.clientFactory = clientFactory;
        this.clock = clock;
        this.threads = new ConnectionThreads(settings.identity().clientId());
        this.events = new ConnectionEventPublisher(this, this::getClientId, this::getApplicationEventPublisher);
        this.connection = connection(settings, tokens);
        setManualAcks(true);
        setCompletionTimeout(settings.connectTimeout().toMillis());
        setQuiescentTimeout(settings.shutdownTimeout().toMillis());
    }

    private ConnectionStateMachine connection(IotHubConnectionSettings settings, @Nullable SasTokenProvider tokens) {
        ConnectionString identity = settings.identity();
        return new ConnectionStateMachine(settings, getConnectionInfo(), new SasTokenRenewer(tokens, settings,
                this.clock), new HubSubscriptions(identity, this::messageArrived),
                new ConnectionDiagnostics(identity.clientId(), settings), this.events, this.threads.connectionThread(),
                this.clock);
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
        // Host name verification and SNI are done by the socket factory, under Paho's plain tcp:// or ws:// module
        options.setSocketFactory(settings.socketFactory());
        return options;
    }

    /** The identity this connection authenticates as; another after {@link #switchIdentity}. */
    public ConnectionString getIdentity() {
        return this.settings.identity();
    }

    /** The MQTT client id of the current identity. */
    @Override
    public String getClientId() {
        return this.settings.identity().clientId();
    }

    /**
     * Moves the connection to another identity, for example the hub and device the Device Provisioning Service
     * assigned when the hub refused this one: a running connection stops (waiting, bounded, for acknowledgements)
     * and starts again as the new identity, with the same listeners, handlers and templates.
     *
     * @param settings the new identity with its settings
     * @param tokens its SAS token source, or {@code null} for X.509 authentication
     */
    public void switchIdentity(IotHubConnectionSettings settings, @Nullable SasTokenProvider tokens) {
        boolean wasRunning;
        this.lock.lock();
        try {
            wasRunning = this.mqtt != null;
            stop();
            MqttConnectOptions options = connectOptions(settings);
            getConnectionInfo().setServerURIs(options.getServerURIs());
            getConnectionInfo().setUserName(options.getUserName());
            getConnectionInfo().setSocketFactory(options.getSocketFactory());
            setUrl(settings.serverUri());
            this.settings = settings;
            this.connection = connection(settings, tokens);
            logger.info("The IoT Hub connection now authenticates as " + getClientId() + " at "
                    + settings.identity().hostName());
        }
        finally {
            this.lock.unlock();
        }
        if (wasRunning) {
            start();
        }
    }

    /** The settings of this connection. */
    public IotHubConnectionSettings getSettings() {
        return this.settings;
    }

    /** Sets the receiver of every message the hub publishes to this device. */
    public void setInboundMessageListener(InboundMessageListener inboundListener) {
        this.inbound.setListener(inboundListener);
    }

    /** Adds a hook called each time the connection is up and subscribed. */
    public void addConnectionListener(IotHubConnectionListener listener) {
        this.events.addListener(listener);
    }

    /** A snapshot of the connection state; never contains a secret. */
    public IotHubConnectionStatus getStatus() {
        return this.connection.status();
    }

    /** How many accepted messages (telemetry, twin requests, method answers) wait for the hub's acknowledgement. */
    public int getPendingCount() {
        PublishQueue queue = this.publishQueue;
        return (queue != null) ? queue.size() : 0;
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
        // On Paho's callback thread (a handler answering a message) telemetry must not wait for a permit
        return queue.submit(topic, payload, qos, this.onPahoCallback.get() == null);
    }

    /**
     * Keeps telemetry in a disk buffer until the hub acknowledges it, so that it survives outages and restarts;
     * takes effect at the next {@link #start()}.
     *
     * @param options the buffer, or {@code null} to hold telemetry in memory only
     */
    public void setTelemetryBuffer(@Nullable DiskBufferOptions options) {
        this.bufferOptions = options;
    }

    /** The disk buffer this connection keeps telemetry in from its next start, or {@code null} for memory. */
    public @Nullable DiskBufferOptions getTelemetryBufferOptions() {
        return this.bufferOptions;
    }

    /** The disk buffer while the connection runs with one, for its size and dropped count. */
    public @Nullable TelemetryLog getTelemetryBuffer() {
        PublishQueue queue = this.publishQueue;
        return (queue != null) ? queue.buffer() : null;
    }

    /**
     * Opens later connections with new TLS material, such as an SSL bundle's rotated certificate or trust store. A
     * connected X.509 device reconnects with it at once (messages wait and none is lost); a connected SAS device
     * stays connected and uses it from its next connection; a connection waiting to reconnect tries at once.
     *
     * @param tls the TLS socket factory of the new material
     */
    public void updateSslSocketFactory(SSLSocketFactory tls) {
        HubSocketFactory socketFactory = new HubSocketFactory(tls, this.settings.proxy());
        this.lock.lock();
        try {
            if (!this.connection.useSocketFactory(socketFactory)) {
                getConnectionInfo().setSocketFactory(socketFactory);
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    /** The executor that completes the futures returned to users; never Paho's thread. */
    public Executor getCallbackExecutor() {
        return (this.publishQueue != null) ? this.threads.callbackThread() : Runnable::run;
    }

    /**
     * Runs a task on the connection thread after a delay.
     *
     * @return {@code false} if the connection is not running
     */
    public boolean schedule(Runnable task, Duration delay) {
        if (this.publishQueue == null) {
            return false;
        }
        TaskScheduler scheduler = this.threads.connectionThread();
        try {
            scheduler.schedule(task, scheduler.getClock().instant().plus(delay));
            return true;
        }
        catch (RejectedExecutionException | IllegalStateException ex) {
            return false;
        }
    }

    @Override
    public void start() {
        CompletableFuture<Void> firstAttempt;
        this.lock.lock();
        try {
            if (getClient() != null) {
                return;
            }
            IMqttAsyncClient client;
            try {
                client = this.clientFactory.getAsyncClientInstance(getUrl(), getClientId());
            }
            catch (MqttException ex) {
                throw new IllegalStateException("Could not create the MQTT client for " + getClientId(), ex);
            }
            client.setManualAcks(true);
            client.setCallback(this);
            setClient(client);
            this.mqtt = client;
            TelemetryLog buffer = (this.bufferOptions != null) ? TelemetryLog.open(this.bufferOptions, getClientId())
                    : null;
            this.threads.start();
            PublishQueue queue = new PublishQueue(getClientId(), () -> this.mqtt, this.threads.callbackThread(),
                    this.settings.maxInFlight(), this.settings.maxPending(), this.settings.sendTimeout(), buffer);
            queue.start();
            this.publishQueue = queue;
            firstAttempt = this.connection.start(client, queue);
        }
        finally {
            this.lock.unlock();
        }
        awaitFirstAttempt(firstAttempt);
    }

    private void awaitFirstAttempt(CompletableFuture<Void> firstAttempt) {
        try {
            firstAttempt.get(this.settings.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            logger.warn("IoT Hub did not answer within " + this.settings.connectTimeout()
                    + "; the application starts and the connection keeps trying in the background");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** The token of the last CONNECT once the connection thread stopped moving, or {@code null}. */
    private @Nullable IMqttToken await(CompletableFuture<@Nullable IMqttToken> stopped, Duration timeout) {
        try {
            return stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            logger.warn("The connection thread of " + getClientId() + " was busy; stopping anyway");
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Waits for the answer to a CONNECT still in flight, so that the client is then either connected (and
     * disconnected cleanly) or not (and closed), never left half-open with its threads running.
     */
    private void awaitAnswer(@Nullable IMqttToken connect) {
        if (connect == null || connect.isComplete()) {
            return;
        }
        try {
            connect.waitForCompletion(this.settings.connectTimeout().toMillis() + 1000);
        }
        catch (MqttException ex) {
            logger.debug("The last CONNECT of " + getClientId() + " did not succeed; closing", ex);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        this.connection.lost(cause);
    }

    /** Paho's callback thread; marked so that a publish from here never waits for a telemetry permit. */
    @Override
    public void messageArrived(String topic, MqttMessage message) {
        this.onPahoCallback.set(Boolean.TRUE);
        try {
            super.messageArrived(topic, message);
            this.inbound.deliver(topic, message);
        }
        finally {
            this.onPahoCallback.remove();
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
            IMqttToken lastConnect = await(this.connection.stop(), this.settings.shutdownTimeout());
            PublishQueue queue = this.publishQueue;
            if (queue != null && !queue.drain(this.settings.shutdownTimeout())) {
                logger.warn(queue.size() + " message(s) were not acknowledged by IoT Hub before shutdown");
            }
            this.threads.stopConnectionThread();
            awaitAnswer(lastConnect);
            boolean wasConnected = client.isConnected();
            close(client, wasConnected);
            if (queue != null) {
                queue.stop();
                TelemetryLog buffer = queue.buffer();
                if (buffer != null) {
                    buffer.close();
                }
            }
            this.connection.stopped();
            this.threads.stopCallbackThread();
            this.publishQueue = null;
            if (wasConnected) {
                logger.info("Disconnected from IoT Hub as " + getClientId());
            }
        }
        finally {
            this.lock.unlock();
        }
    }

    private void close(IMqttAsyncClient client, boolean connected) {
        try {
            if (connected) {
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
    }

    @Override
    public boolean isConnected() {
        return this.connection.isConnected();
    }

}
