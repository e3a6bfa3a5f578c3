package dev.iothub.spring.metrics;

import java.util.Locale;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.buffer.TelemetryLog;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.DisconnectReason;
import dev.iothub.spring.event.IotHubConnectedEvent;
import dev.iothub.spring.event.IotHubConnectionEvent;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;

/**
 * The connection's meters: {@code iothub.connection.connected} and {@code iothub.telemetry.pending} (gauges),
 * {@code iothub.connection.reconnects} (tagged with the {@code reason} of the drop that preceded the reconnect) and
 * {@code iothub.sas.renewals}, counted from the connection events; with a disk buffer also
 * {@code iothub.telemetry.buffer.size} and {@code iothub.telemetry.buffer.bytes} (gauges) and
 * {@code iothub.telemetry.buffer.dropped}.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class IotHubConnectionMetrics implements MeterBinder, ApplicationListener<IotHubConnectionEvent> {

    private final IotHubClientManager clientManager;

    private final Tags identity;

    private volatile @Nullable MeterRegistry registry;

    private volatile @Nullable DisconnectReason lastDrop;

    /**
     * Creates the binder.
     *
     * @param clientManager the connection to measure
     */
    public IotHubConnectionMetrics(IotHubClientManager clientManager) {
        this.clientManager = clientManager;
        ConnectionString identity = clientManager.getIdentity();
        this.identity = IotHubMeterObservationHandler.identity(identity.deviceId(), identity.moduleId());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("iothub.connection.connected", this.clientManager,
                (manager) -> manager.getStatus().isUp() ? 1 : 0)
            .description("1 while messages flow to and from IoT Hub, else 0")
            .tags(this.identity)
            .register(registry);
        Gauge.builder("iothub.telemetry.pending", this.clientManager, IotHubClientManager::getPendingCount)
            .description("Messages accepted and not yet acknowledged by the hub")
            .tags(this.identity)
            .register(registry);
        if (this.clientManager.getTelemetryBufferOptions() != null) {
            bindBuffer(registry);
        }
        renewals(registry);
        this.registry = registry;
    }

    /** The disk buffer's meters; the gauges have no value ({@code NaN}) while the connection is stopped. */
    private void bindBuffer(MeterRegistry registry) {
        Gauge.builder("iothub.telemetry.buffer.size", this.clientManager, (manager) -> buffered(TelemetryLog::size))
            .description("Telemetry messages stored in the disk buffer and not yet acknowledged")
            .tags(this.identity)
            .register(registry);
        Gauge.builder("iothub.telemetry.buffer.bytes", this.clientManager, (manager) -> buffered(TelemetryLog::bytes))
            .description("Disk space the buffer's files take")
            .baseUnit(BaseUnits.BYTES)
            .tags(this.identity)
            .register(registry);
        FunctionCounter
            .builder("iothub.telemetry.buffer.dropped", this.clientManager,
                    (manager) -> buffered(TelemetryLog::droppedCount))
            .description("Stored telemetry messages discarded because the disk buffer was full (drop-oldest)")
            .tags(this.identity)
            .register(registry);
    }

    private double buffered(ToLongFunction<TelemetryLog> value) {
        TelemetryLog buffer = this.clientManager.getTelemetryBuffer();
        return (buffer != null) ? value.applyAsLong(buffer) : Double.NaN;
    }

    @Override
    public void onApplicationEvent(IotHubConnectionEvent event) {
        MeterRegistry target = this.registry;
        if (target == null || !this.clientManager.getClientId().equals(event.getClientId())) {
            return;
        }
        if (event instanceof IotHubDisconnectedEvent disconnected) {
            this.lastDrop = disconnected.getReason();
        }
        else if (event instanceof IotHubConnectedEvent connected && connected.isReconnect()) {
            DisconnectReason reason = this.lastDrop;
            Counter.builder("iothub.connection.reconnects")
                .description("Connections re-established after a drop, by the reason of the drop")
                .tags(this.identity)
                .tag("reason", (reason != null) ? tagValue(reason) : "unknown")
                .register(target)
                .increment();
        }
        else if (event instanceof IotHubSasTokenRenewedEvent) {
            renewals(target).increment();
        }
    }

    private Counter renewals(MeterRegistry registry) {
        return Counter.builder("iothub.sas.renewals")
            .description("SAS token renewals")
            .tags(this.identity)
            .register(registry);
    }

    private static String tagValue(DisconnectReason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

}
