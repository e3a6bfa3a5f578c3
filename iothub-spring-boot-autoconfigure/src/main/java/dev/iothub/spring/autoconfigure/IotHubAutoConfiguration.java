package dev.iothub.spring.autoconfigure;

import java.time.Clock;

import io.micrometer.observation.ObservationRegistry;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.mqtt.core.Mqttv3ClientManager;

import dev.iothub.protocol.ConnectionString;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.inbound.IotHubInboundExecutors;
import dev.iothub.spring.inbound.IotHubInboundRouter;
import dev.iothub.spring.observation.IotHubHandlerObservationConvention;
import dev.iothub.spring.observation.IotHubTelemetryObservationConvention;
import dev.iothub.spring.observation.IotHubTwinObservationConvention;
import dev.iothub.spring.telemetry.IotHubTelemetryTemplate;
import dev.iothub.spring.telemetry.TelemetryMessageHandler;
import dev.iothub.spring.twin.IotHubTwinTemplate;
import dev.iothub.spring.twin.TwinReconnectionFlow;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for an Azure IoT Hub device connection over Spring Integration
 * MQTT. Active when {@code iothub.connection-string} or {@code iothub.host-name} is set (a placeholder that cannot be
 * resolved then fails start-up naming it), or an {@link IotHubConnectionDetails} bean exists (for example the embedded
 * emulator's).
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration" })
@ConditionalOnClass({ Mqttv3ClientManager.class, MqttAsyncClient.class })
@Conditional(IotHubAutoConfiguration.IotHubConnectionCondition.class)
@EnableConfigurationProperties({ IotHubProperties.class, IotHubHandlerProperties.class,
        IotHubObservationProperties.class })
public final class IotHubAutoConfiguration {

    /** The name of the {@link org.springframework.messaging.MessageChannel} that sends telemetry. */
    public static final String TELEMETRY_CHANNEL_BEAN_NAME = "iotHubTelemetryChannel";

    private final IotHubProperties properties;

    IotHubAutoConfiguration(IotHubProperties properties) {
        this.properties = properties;
    }

    @Bean
    @ConditionalOnMissingBean(IotHubConnectionDetails.class)
    PropertiesIotHubConnectionDetails iotHubConnectionDetails(ObjectProvider<SslBundles> sslBundles) {
        return new PropertiesIotHubConnectionDetails(this.properties, sslBundles.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    IotHubClientManager iotHubClientManager(IotHubConnectionDetails connectionDetails,
            ObjectProvider<SslBundles> sslBundles) {
        IotHubPropertiesMapper mapper = new IotHubPropertiesMapper(this.properties, connectionDetails);
        ConnectionString identity = mapper.identity();
        Clock clock = Clock.systemUTC();
        IotHubClientManager clientManager = new IotHubClientManager(mapper.settings(identity),
                mapper.tokenProvider(identity, clock), clock);
        clientManager.setTelemetryBuffer(mapper.bufferOptions(identity));
        followBundleUpdates(clientManager, connectionDetails, sslBundles.getIfAvailable());
        return clientManager;
    }

    /**
     * Moves the connection to the new material when Spring Boot reloads the bundle of {@code iothub.ssl.bundle}
     * ({@code reload-on-update}), as Boot's web servers do; only when the connection uses that bundle.
     */
    private void followBundleUpdates(IotHubClientManager clientManager, IotHubConnectionDetails connectionDetails,
            @Nullable SslBundles sslBundles) {
        String name = this.properties.getSsl().getBundle();
        if (name == null || sslBundles == null || !sslBundles.getBundleNames().contains(name)
                || sslBundles.getBundle(name) != connectionDetails.getSslBundle()) {
            return;
        }
        sslBundles.addBundleUpdateHandler(name,
                (bundle) -> clientManager.updateSslSocketFactory(bundle.createSslContext().getSocketFactory()));
    }

    /**
     * The handler threads, at phase -1, just below the connection's 0. Built from the connection details, not from
     * the {@link IotHubClientManager} bean: the context starts a lifecycle bean's dependencies before it and stops
     * them after it, which would open the connection before the threads exist and close it after they stopped.
     */
    @Bean
    @ConditionalOnMissingBean
    IotHubInboundExecutors iotHubInboundExecutors(IotHubConnectionDetails connectionDetails,
            IotHubHandlerProperties handlers) {
        String clientId = new IotHubPropertiesMapper(this.properties, connectionDetails).identity().clientId();
        return new IotHubInboundExecutors(clientId, handlers.getMethodThreads(), handlers.getQueueCapacity());
    }

    @Bean
    @ConditionalOnMissingBean
    IotHubInboundRouter iotHubInboundRouter(IotHubClientManager clientManager, IotHubInboundExecutors executors,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<IotHubHandlerObservationConvention> observationConvention) {
        IotHubInboundRouter router = new IotHubInboundRouter(clientManager, executors);
        observationRegistry.ifUnique(router::setObservationRegistry);
        router.setObservationConvention(observationConvention.getIfUnique());
        return router;
    }

    @Bean
    @ConditionalOnMissingBean
    IotHubTelemetryTemplate iotHubTelemetryTemplate(IotHubClientManager clientManager,
            ObjectProvider<JsonMapper> jsonMapper, IotHubObservationProperties observation,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<IotHubTelemetryObservationConvention> observationConvention) {
        IotHubTelemetryTemplate template = new IotHubTelemetryTemplate(clientManager,
                jsonMapper.getIfAvailable(JsonMapper::new));
        observationRegistry.ifUnique(template::setObservationRegistry);
        template.setObservationConvention(observationConvention.getIfUnique());
        template.setPropagateTraceContext(observation.isPropagateTraceContext());
        return template;
    }

    @Bean
    @ConditionalOnMissingBean
    IotHubTwinTemplate iotHubTwinTemplate(IotHubClientManager clientManager, ObjectProvider<JsonMapper> jsonMapper,
            ObjectProvider<ObservationRegistry> observationRegistry,
            ObjectProvider<IotHubTwinObservationConvention> observationConvention) {
        IotHubTwinTemplate template = new IotHubTwinTemplate(clientManager, jsonMapper.getIfAvailable(JsonMapper::new));
        observationRegistry.ifUnique(template::setObservationRegistry);
        template.setObservationConvention(observationConvention.getIfUnique());
        return template;
    }

    /**
     * Hands what the hub sends to the router and twin responses to the twin template, whichever beans (these or the
     * application's) fill those roles.
     */
    @Bean
    InboundWiring iotHubInboundWiring(IotHubClientManager clientManager, IotHubInboundRouter router,
            IotHubTwinTemplate twinTemplate) {
        clientManager.setInboundMessageListener(router);
        router.setTwinResponseListener(twinTemplate);
        return new InboundWiring();
    }

    @Bean
    @ConditionalOnMissingBean
    TwinReconnectionFlow iotHubTwinReconnectionFlow(IotHubClientManager clientManager,
            IotHubTwinTemplate twinTemplate, IotHubInboundRouter router) {
        TwinReconnectionFlow flow = new TwinReconnectionFlow(twinTemplate, router);
        clientManager.addConnectionListener(flow);
        return flow;
    }

    @Bean(TELEMETRY_CHANNEL_BEAN_NAME)
    @ConditionalOnMissingBean(name = TELEMETRY_CHANNEL_BEAN_NAME)
    DirectChannel iotHubTelemetryChannel(IotHubTelemetryTemplate telemetryTemplate) {
        DirectChannel channel = new DirectChannel();
        channel.setBeanName(TELEMETRY_CHANNEL_BEAN_NAME);
        channel.subscribe(new TelemetryMessageHandler(telemetryTemplate,
                this.properties.getPublish().getSendTimeout().plus(this.properties.getOperationTimeout())));
        return channel;
    }

    /** The trace of {@link #iotHubInboundWiring}: the registrations happen in the bean method. */
    static final class InboundWiring {

    }

    static final class IotHubConnectionCondition extends AnyNestedCondition {

        IotHubConnectionCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @Conditional(OnIotHubConnectionPropertiesCondition.class)
        static final class HasConnectionProperties {

        }

        @ConditionalOnBean(IotHubConnectionDetails.class)
        static final class HasConnectionDetails {

        }

    }

}
