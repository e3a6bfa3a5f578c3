package dev.iothub.spring.twin;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.iothub.spring.connection.IotHubConnectionListener;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.inbound.IotHubInboundRouter;

/**
 * The twin reconnection flow IoT Hub documents: after every (re)connect, once subscribed, read the twin and hand
 * the whole desired document to the router, which delivers it when its {@code $version} differs from the last one
 * delivered (changed while offline, or lower because the device was re-created at the hub) and drops notifications
 * that are not newer.
 * <p>
 * The twin is read after a SAS-token renewal too. The hub keeps no desired-property notification for a disconnected
 * device, not even in a persistent session, and renewing the token is a disconnect and a reconnect: a change made
 * in that gap, however short, would otherwise be lost until the next real reconnect. The read costs one twin GET per
 * renewal (about one an hour per device by default), and the {@code $version} rule keeps the listeners from running
 * again when nothing changed.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class TwinReconnectionFlow implements IotHubConnectionListener {

    private static final Log logger = LogFactory.getLog(TwinReconnectionFlow.class);

    private final IotHubTwinTemplate twinTemplate;

    private final IotHubInboundRouter router;

    /**
     * Creates the flow; register it with the connection to run it.
     *
     * @param twinTemplate reads the twin
     * @param router receives the desired properties read
     */
    public TwinReconnectionFlow(IotHubTwinTemplate twinTemplate, IotHubInboundRouter router) {
        this.twinTemplate = twinTemplate;
        this.router = router;
    }

    @Override
    public void connected(boolean reconnect, boolean tokenRenewal) {
        if (!this.router.hasDesiredPropertiesHandlers()) {
            return;
        }
        this.twinTemplate.getTwinInArrivalOrder().whenComplete((twin, ex) -> {
            if (ex != null) {
                logger.warn("Could not read the twin after connecting; desired properties changed while offline "
                        + "are delivered after the next reconnect: " + ex.getMessage());
                return;
            }
            this.router.dispatchDesiredProperties(
                    new DesiredPropertiesUpdate(twin.desiredVersion(), this.twinTemplate.desiredAsJson(twin), true));
        });
    }

}
