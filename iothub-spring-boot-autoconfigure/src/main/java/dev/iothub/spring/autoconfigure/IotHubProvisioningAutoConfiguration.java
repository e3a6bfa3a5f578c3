package dev.iothub.spring.autoconfigure;

import java.time.Clock;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.integration.mqtt.core.DefaultMqttPahoClientFactory;
import org.springframework.integration.mqtt.core.Mqttv3ClientManager;
import org.springframework.util.StringUtils;

import dev.iothub.spring.autoconfigure.emulator.IotHubEmulatorAutoConfiguration;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.provisioning.AssignmentCache;
import dev.iothub.spring.provisioning.DeviceProvisioner;
import dev.iothub.spring.provisioning.DpsRegistrationClient;
import dev.iothub.spring.provisioning.ProvisioningSettings;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for zero-touch provisioning through the Device Provisioning
 * Service. Active when any of {@code iothub.dps.id-scope}, {@code iothub.dps.registration-id},
 * {@code iothub.dps.symmetric-key} or {@code iothub.dps.enrollment-group-key} is set; it then supplies the
 * {@link IotHubConnectionDetails} of the assigned hub and device. At start-up it uses the cached assignment or
 * registers, blocking the start for at most {@code iothub.dps.timeout}, because the connection is built with its
 * identity; a registration that fails stops the start with its reason. When a re-registration assigns another hub or
 * device id, the connection follows it without a restart.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@AutoConfiguration(before = { IotHubEmulatorAutoConfiguration.class, IotHubAutoConfiguration.class },
        afterName = { "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration",
                "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration" })
@ConditionalOnClass({ Mqttv3ClientManager.class, MqttAsyncClient.class })
@Conditional(IotHubProvisioningAutoConfiguration.OnProvisioningPropertiesCondition.class)
@EnableConfigurationProperties({ IotHubProperties.class, IotHubProvisioningProperties.class })
public final class IotHubProvisioningAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    DeviceProvisioner iotHubDeviceProvisioner(IotHubProperties hub, IotHubProvisioningProperties dps,
            Environment environment, ObjectProvider<SslBundles> sslBundles, ObjectProvider<JsonMapper> jsonMapper) {
        JsonMapper json = jsonMapper.getIfAvailable(JsonMapper::new);
        ProvisioningSettings settings = new IotHubProvisioningPropertiesMapper(hub, dps, environment,
                sslBundles.getIfAvailable(), json).settings();
        Clock clock = Clock.systemUTC();
        return new DeviceProvisioner(
                new DpsRegistrationClient(settings, new DefaultMqttPahoClientFactory(), json, clock),
                new AssignmentCache(dps.getCacheDirectory(), settings, json, clock), dps.getReprovisionAfterFailures(),
                clock);
    }

    @Bean
    @ConditionalOnMissingBean(IotHubConnectionDetails.class)
    ProvisionedIotHubConnectionDetails iotHubConnectionDetails(DeviceProvisioner provisioner, IotHubProperties hub,
            IotHubProvisioningProperties dps, Environment environment, ObjectProvider<SslBundles> sslBundles,
            ObjectProvider<JsonMapper> jsonMapper) {
        IotHubProvisioningPropertiesMapper mapper = new IotHubProvisioningPropertiesMapper(hub, dps, environment,
                sslBundles.getIfAvailable(), jsonMapper.getIfAvailable(JsonMapper::new));
        provisioner.provision();
        return new ProvisionedIotHubConnectionDetails(provisioner::provision, provisioner.getSettings().deviceKey(),
                mapper.hubPort(), mapper.sslBundle());
    }

    @Bean
    @ConditionalOnBean(ProvisionedIotHubConnectionDetails.class)
    ProvisionedIdentityFollower iotHubProvisionedIdentityFollower(ObjectProvider<IotHubClientManager> clientManager,
            IotHubProperties hub, ProvisionedIotHubConnectionDetails connectionDetails) {
        return new ProvisionedIdentityFollower(clientManager, hub, connectionDetails);
    }

    static final class OnProvisioningPropertiesCondition extends SpringBootCondition {

        private static final List<String> PROPERTIES = List.of("iothub.dps.id-scope", "iothub.dps.registration-id",
                "iothub.dps.symmetric-key", "iothub.dps.enrollment-group-key");

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            return PROPERTIES.stream()
                .filter((name) -> StringUtils.hasText(binder.bind(name, String.class).orElse(null)))
                .findFirst()
                .map((name) -> ConditionOutcome.match(name + " is set"))
                .orElseGet(() -> ConditionOutcome.noMatch("no iothub.dps.* property is set"));
        }

    }

}
