package dev.iothub.emulator.hub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.iothub.emulator.IotHubServiceException;
import dev.iothub.emulator.MethodInvocationException;
import dev.iothub.emulator.MethodResult;
import dev.iothub.protocol.SubscriptionFilter;
import org.jspecify.annotations.Nullable;

/**
 * Correlates direct-method requests with the devices' responses by {@code $rid}, and times them out.
 */
final class MethodBroker {

    static final Duration MIN_TIMEOUT = Duration.ofSeconds(5);

    static final Duration MAX_TIMEOUT = Duration.ofSeconds(300);

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private final AtomicLong requestIds = new AtomicLong();

    private final ScheduledExecutorService scheduler;

    MethodBroker(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    CompletableFuture<MethodResult> invoke(String identityId, @Nullable DeviceLink link, String methodName,
            @Nullable String payload, Duration responseTimeout) {
        NamingRules.checkMethodName(methodName);
        if (responseTimeout.compareTo(MIN_TIMEOUT) < 0 || responseTimeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IotHubServiceException(IotHubServiceException.ARGUMENT_INVALID,
                    "responseTimeoutInSeconds must be between 5 and 300");
        }
        if (link == null || !link.isSubscribed(SubscriptionFilter.METHODS)) {
            return CompletableFuture.failedFuture(new MethodInvocationException(
                    IotHubServiceException.DEVICE_NOT_ONLINE, "Device " + identityId + " is not online"));
        }
        String requestId = Long.toString(this.requestIds.incrementAndGet());
        CompletableFuture<MethodResult> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout = this.scheduler.schedule(() -> timeOut(requestId, identityId),
                responseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        this.pending.put(requestId, new Pending(identityId, result, timeout));
        byte[] body = (payload != null) ? payload.getBytes(StandardCharsets.UTF_8) : new byte[0];
        link.methodRequest(methodName, requestId, body);
        return result;
    }

    /** Completes the request a device answered; a late or unknown answer is dropped. */
    void respond(String identityId, String requestId, int status, byte[] body) {
        Pending request = this.pending.get(requestId);
        if (request == null || !request.identityId.equals(identityId) || !this.pending.remove(requestId, request)) {
            return;
        }
        request.timeout.cancel(false);
        String payload = (body.length > 0) ? new String(body, StandardCharsets.UTF_8) : null;
        request.result.complete(new MethodResult(status, payload));
    }

    private void timeOut(String requestId, String identityId) {
        Pending request = this.pending.remove(requestId);
        if (request != null) {
            request.result.completeExceptionally(new MethodInvocationException(IotHubServiceException.GATEWAY_TIMEOUT,
                    "Timed out waiting for the response from device " + identityId));
        }
    }

    private record Pending(String identityId, CompletableFuture<MethodResult> result, ScheduledFuture<?> timeout) {
    }
}
