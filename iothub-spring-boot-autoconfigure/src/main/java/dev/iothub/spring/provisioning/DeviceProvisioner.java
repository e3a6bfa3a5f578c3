package dev.iothub.spring.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubConnectionEvent;
import dev.iothub.spring.event.IotHubProvisionedEvent;
import dev.iothub.spring.event.IotHubReconnectingEvent;

/**
 * Knows the device's hub: {@link #provision()} reads the cached assignment or registers (at first boot, blocking the
 * caller for at most the registration's timeout), and the provisioner registers again, in the background, when the
 * hub refuses the device's credentials (CONNACK 4 or 5: the device was deleted, disabled or moved) or after a number
 * of failed connection attempts in a row. Registrations run on one named thread that ends when idle and is stopped
 * with the context, never on Paho's or the connection's thread.
 * <p>
 * A registration that assigns the same hub and device id (the usual case for a deleted device, which the service
 * registers again) lets the next reconnect succeed; one that assigns another hub or device id is cached and
 * published as an {@link IotHubProvisionedEvent}, on which the connection switches to the new identity.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class DeviceProvisioner implements ApplicationListener<IotHubConnectionEvent>, ApplicationEventPublisherAware,
        SmartLifecycle, DisposableBean {

    /** Before the connection (phase 0), so that the start-up event comes before the first connection event. */
    public static final int PHASE = -10;

    private static final Log logger = LogFactory.getLog(DeviceProvisioner.class);

    private final DpsRegistrationClient registration;

    private final AssignmentCache cache;

    private final int reprovisionAfterFailures;

    private final Clock clock;

    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

    private final AtomicBoolean registering = new AtomicBoolean();

    private @Nullable ApplicationEventPublisher eventPublisher;

    private volatile @Nullable DeviceAssignment assignment;

    private volatile boolean fromCache;

    private volatile @Nullable Instant provisionedAt;

    private volatile @Nullable String lastError;

    private volatile boolean reprovisionedSinceConnected;

    private volatile boolean running;

    private boolean startEventPublished;

    /**
     * @param registration registers the device
     * @param cache the cached assignment
     * @param reprovisionAfterFailures failed connection attempts in a row after which to register again
     */
    public DeviceProvisioner(DpsRegistrationClient registration, AssignmentCache cache, int reprovisionAfterFailures,
            Clock clock) {
        this.registration = registration;
        this.cache = cache;
        this.reprovisionAfterFailures = reprovisionAfterFailures;
        this.clock = clock;
        this.executor.setThreadNamePrefix("iothub-dps-" + registration.getSettings().registrationId() + "-");
        this.executor.setCorePoolSize(1);
        this.executor.setMaxPoolSize(1);
        this.executor.setQueueCapacity(0);
        this.executor.setKeepAliveSeconds(1);
        this.executor.setAllowCoreThreadTimeOut(true);
        this.executor.setWaitForTasksToCompleteOnShutdown(false);
        this.executor.initialize();
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
        this.eventPublisher = eventPublisher;
    }

    /** The registration's settings. */
    public ProvisioningSettings getSettings() {
        return this.registration.getSettings();
    }

    /**
     * The device's assignment: the cached one, or else a new registration's, waited for at most the registration's
     * timeout; once known, the same until a re-registration.
     *
     * @throws IotHubProvisioningException if the registration failed
     */
    public DeviceAssignment provision() {
        DeviceAssignment known = this.assignment;
        if (known != null) {
            return known;
        }
        Optional<DeviceAssignment> cached = this.cache.read();
        if (cached.isPresent()) {
            logger.info("Provisioned from the cache " + this.cache.getFile() + ": hub " + cached.get().hostName()
                    + ", device " + cached.get().deviceId());
            assigned(cached.get(), true);
            return cached.get();
        }
        Future<DeviceAssignment> registered = this.executor.submit(this.registration::register);
        Duration limit = getSettings().timeout().plus(getSettings().connectTimeout()).plusSeconds(2);
        try {
            DeviceAssignment result = registered.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            this.cache.write(result);
            logger.info("Provisioned by the Device Provisioning Service: hub " + result.hostName() + ", device "
                    + result.deviceId());
            assigned(result, false);
            return result;
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof IotHubProvisioningException provisioning) {
                throw provisioning;
            }
            throw new IotHubProvisioningException("Registration '" + getSettings().registrationId() + "' failed: "
                    + ex.getCause(), "Check the iothub.dps.* properties.", ex.getCause());
        }
        catch (TimeoutException ex) {
            registered.cancel(true);
            throw new IotHubProvisioningException("Registration '" + getSettings().registrationId()
                    + "' timed out: no assignment within " + limit, "Try again later, or raise iothub.dps.timeout.");
        }
        catch (InterruptedException ex) {
            registered.cancel(true);
            Thread.currentThread().interrupt();
            throw new IotHubProvisioningException("Registration '" + getSettings().registrationId()
                    + "' was interrupted", "The application is stopping.");
        }
    }

    /** The assignment, or {@code null} before {@link #provision()}. */
    public @Nullable DeviceAssignment getAssignment() {
        return this.assignment;
    }

    /** Whether the current assignment came from the cache. */
    public boolean isFromCache() {
        return this.fromCache;
    }

    /** When the current assignment was made or read. */
    public @Nullable Instant getProvisionedAt() {
        return this.provisionedAt;
    }

    /** Why the last re-registration failed, or {@code null} if it did not (or the device connected since). */
    public @Nullable String getLastError() {
        return this.lastError;
    }

    /** Registers again in the background if the hub refused the device or too many attempts failed in a row. */
    @Override
    public void onApplicationEvent(IotHubConnectionEvent event) {
        if (event instanceof IotHubConnectedEvent) {
            this.reprovisionedSinceConnected = false;
            this.lastError = null;
        }
        else if (event instanceof IotHubReconnectingEvent reconnecting && this.running) {
            boolean refused = refused(reconnecting.getCause());
            if (refused && !this.reprovisionedSinceConnected) {
                reprovision("the hub refused the device's credentials");
            }
            else if (reconnecting.getAttempt() % this.reprovisionAfterFailures == 0) {
                reprovision(reconnecting.getAttempt() + " connection attempts failed in a row");
            }
        }
    }

    private static boolean refused(@Nullable Throwable cause) {
        return cause instanceof MqttException mqtt && (mqtt.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED
                || mqtt.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION);
    }

    private void reprovision(String why) {
        if (!this.registering.compareAndSet(false, true)) {
            return;
        }
        this.reprovisionedSinceConnected = true;
        DeviceAssignment previous = this.assignment;
        logger.warn("Registering '" + getSettings().registrationId() + "' again with the Device Provisioning Service: "
                + why);
        try {
            this.executor.execute(() -> {
                try {
                    this.cache.clear();
                    DeviceAssignment result = this.registration.register();
                    this.cache.write(result);
                    if (result.equals(previous)) {
                        logger.info("Registered again: still hub " + result.hostName() + ", device "
                                + result.deviceId() + "; the next connection attempt uses it");
                    }
                    else {
                        logger.warn("Registered again: now assigned to hub " + result.hostName() + " as device "
                                + result.deviceId() + "; the connection moves there");
                    }
                    assigned(result, false);
                }
                catch (IotHubProvisioningException ex) {
                    this.lastError = ex.getMessage();
                    if (this.running) {
                        logger.warn(ex.getMessage() + ". " + ex.getAction());
                    }
                }
                finally {
                    this.registering.set(false);
                }
            });
        }
        catch (RuntimeException ex) {
            this.registering.set(false);
            logger.debug("Could not start the re-registration", ex);
        }
    }

    private void assigned(DeviceAssignment result, boolean cached) {
        this.assignment = result;
        this.fromCache = cached;
        this.provisionedAt = this.clock.instant();
        this.lastError = null;
        if (this.running) {
            publish(result, cached);
        }
    }

    private void publish(DeviceAssignment result, boolean cached) {
        ApplicationEventPublisher publisher = this.eventPublisher;
        if (publisher != null) {
            publisher.publishEvent(new IotHubProvisionedEvent(this, result.hostName(), result.deviceId(), cached));
        }
    }

    /** Publishes the start-up {@link IotHubProvisionedEvent}: listeners are not all registered at provisioning. */
    @Override
    public void start() {
        this.running = true;
        DeviceAssignment known = this.assignment;
        if (known != null && !this.startEventPublished) {
            this.startEventPublished = true;
            publish(known, this.fromCache);
        }
    }

    @Override
    public void stop() {
        this.running = false;
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Interrupts a registration in progress and ends the thread. */
    @Override
    public void destroy() {
        this.running = false;
        this.executor.shutdown();
    }

}
