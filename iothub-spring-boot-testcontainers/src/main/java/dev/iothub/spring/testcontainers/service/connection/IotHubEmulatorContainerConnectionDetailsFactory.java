package dev.iothub.spring.testcontainers.service.connection;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.testcontainers.IotHubEmulatorContainer;

/**
 * Creates {@link IotHubConnectionDetails} for an {@code @ServiceConnection}-annotated
 * {@link IotHubEmulatorContainer}: the application connects as the container's
 * {@linkplain IotHubEmulatorContainer#getDefaultDeviceId() default device} to its host and published MQTT port,
 * trusting the certificate the container generated.
 */
class IotHubEmulatorContainerConnectionDetailsFactory
        extends ContainerConnectionDetailsFactory<IotHubEmulatorContainer, IotHubConnectionDetails> {

    @Override
    protected IotHubConnectionDetails getContainerConnectionDetails(
            ContainerConnectionSource<IotHubEmulatorContainer> source) {
        return new IotHubEmulatorContainerConnectionDetails(source);
    }

    /**
     * The details, read from the container once it runs. The socket goes to the container's host, while the
     * username and SAS tokens name the hub, as for an IoT Edge gateway.
     */
    static final class IotHubEmulatorContainerConnectionDetails
            extends ContainerConnectionDetails<IotHubEmulatorContainer> implements IotHubConnectionDetails {

        private volatile @Nullable SslBundle sslBundle;

        private volatile @Nullable String sharedAccessKey;

        IotHubEmulatorContainerConnectionDetails(ContainerConnectionSource<IotHubEmulatorContainer> source) {
            super(source);
        }

        @Override
        public String getHostName() {
            return IotHubEmulatorContainer.HUB_NAME;
        }

        @Override
        public String getDeviceId() {
            return getContainer().getDefaultDeviceId();
        }

        @Override
        public String getSharedAccessKey() {
            String key = this.sharedAccessKey;
            if (key == null) {
                key = getContainer().getPrimaryKey(getDeviceId());
                this.sharedAccessKey = key;
            }
            return key;
        }

        @Override
        public @Nullable String getGatewayHostName() {
            String host = getContainer().getHost();
            return host.equalsIgnoreCase(getHostName()) ? null : host;
        }

        @Override
        public int getPort(IotHubTransport transport) {
            return switch (transport) {
                case MQTT -> getContainer().getMqttPort();
                case MQTT_WS -> getContainer().getWebSocketPort();
            };
        }

        @Override
        public SslBundle getSslBundle() {
            SslBundle bundle = this.sslBundle;
            if (bundle == null) {
                bundle = SslBundle.of(SslStoreBundle.of(null, null, getContainer().getTrustStore()));
                this.sslBundle = bundle;
            }
            return bundle;
        }
    }
}
