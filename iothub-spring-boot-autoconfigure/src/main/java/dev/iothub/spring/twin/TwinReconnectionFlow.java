package dev.iothub.spring.twin;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.iothub.spring.connection.IotHubConnectionListener;
import dev.iothub.spring.inbound.DesiredPropertiesUpdate;
import dev.iothub.spring.inbound.IotHubInboundRouter;

/**
 * The twin reconnection flow IoT Hub documents: after every (re)connect, once subscribed, read the twin and hand
 * the desired properties to the handlers if their {@code $version} moved while the device was offline.
 * Notifications not newer than what was delivered are dropped by the router.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public class TwinReconnectionFlow implements IotHubConnectionListener {

    private static final Log logger = LogFactory.getLog(TwinReconnectionFlow.class);

    private final IotHubTwinTemplate twinTemplate;

    private final IotHubInboundRouter router;

    public TwinReconnectionFlow(IotHubTwinTemplate twinTemplate, IotHubInboundRouter router) {
        this.twinTemplate = twinTemplate;
        this.router = router;
    }

    @Override
    public void connected(boolean reconnect, boolean tokenRenewal) {
        if (!this.router.hasDesiredPropertiesHandlers()) {
            return;
        }
        this.twinTemplate.getTwin().whenComplete((twin, ex) -> {
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
