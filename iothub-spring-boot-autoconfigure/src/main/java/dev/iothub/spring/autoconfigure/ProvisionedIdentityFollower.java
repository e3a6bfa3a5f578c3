package dev.iothub.spring.autoconfigure;

import java.time.Clock;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationListener;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.IotHubProvisionedEvent;

/**
 * Moves the connection to the hub and device id of a new assignment: a re-registration that assigns another hub (or
 * device id) switches the {@link IotHubClientManager}'s identity, on the provisioner's thread, so that the
 * application follows its device without a restart.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
final class ProvisionedIdentityFollower implements ApplicationListener<IotHubProvisionedEvent> {

    private final ObjectProvider<IotHubClientManager> clientManager;

    private final IotHubProperties properties;

    private final ProvisionedIotHubConnectionDetails connectionDetails;

    ProvisionedIdentityFollower(ObjectProvider<IotHubClientManager> clientManager, IotHubProperties properties,
            ProvisionedIotHubConnectionDetails connectionDetails) {
        this.clientManager = clientManager;
        this.properties = properties;
        this.connectionDetails = connectionDetails;
    }

    @Override
    public void onApplicationEvent(IotHubProvisionedEvent event) {
        IotHubClientManager manager = this.clientManager.getIfUnique();
        if (manager == null) {
            return;
        }
        ConnectionString current = manager.getIdentity();
        if (current.hostName().equals(event.getHostName()) && current.deviceId().equals(event.getDeviceId())) {
            return;
        }
        IotHubPropertiesMapper mapper = new IotHubPropertiesMapper(this.properties, this.connectionDetails);
        ConnectionString identity = mapper.identity();
        manager.switchIdentity(mapper.settings(identity), mapper.tokenProvider(identity, Clock.systemUTC()));
    }

}
