package dev.iothub.spring.autoconfigure.emulator;

import java.util.Set;
import java.util.TreeSet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.autoconfigure.IotHubAutoConfiguration;
import dev.iothub.spring.autoconfigure.IotHubConnectionDetails;
import dev.iothub.spring.autoconfigure.OnIotHubConnectionPropertiesCondition;
import dev.iothub.spring.handler.IotHubHandlerAnnotationBeanPostProcessor;

/**
 * Runs the application against an embedded IoT Hub emulator, the way Spring Boot falls back to an embedded database:
 * when {@code iothub-emulator} is on the classpath and no {@code iothub.connection-string}, {@code iothub.host-name}
 * or {@link IotHubConnectionDetails} bean is configured (or always with {@code iothub.emulator.enabled=true}).
 * Never active when {@code iothub.emulator.enabled=false}.
 */
@AutoConfiguration(before = IotHubAutoConfiguration.class)
@ConditionalOnClass({ IotHubEmulator.class, MqttAsyncClient.class })
@Conditional(IotHubEmulatorAutoConfiguration.OnEmbeddedEmulatorCondition.class)
@ConditionalOnMissingBean(IotHubConnectionDetails.class)
@EnableConfigurationProperties(IotHubEmulatorProperties.class)
public final class IotHubEmulatorAutoConfiguration {

    private static final Log logger = LogFactory.getLog(IotHubEmulatorAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    IotHubEmulator iotHubEmulator(IotHubEmulatorProperties properties) {
        return IotHubEmulator.builder()
            .mqttPort(properties.getMqttPort())
            .webSocketPort(properties.getWebSocketPort())
            .servicePort(properties.getServicePort())
            .start();
    }

    @Bean
    EmulatorIotHubConnectionDetails iotHubConnectionDetails(IotHubEmulator emulator,
            IotHubEmulatorProperties properties, Environment environment) {
        String deviceId = properties.getDeviceId();
        if (!StringUtils.hasText(deviceId)) {
            deviceId = environment.getProperty("spring.application.name", "device-1");
        }
        return new EmulatorIotHubConnectionDetails(emulator, deviceId);
    }

    /** Says where the application connects once every bean exists, so that the hint names its real methods. */
    @Bean
    SmartInitializingSingleton iotHubEmulatorStartupMessage(IotHubEmulator emulator,
            EmulatorIotHubConnectionDetails details, IotHubEmulatorProperties properties, Environment environment,
            ObjectProvider<IotHubHandlerAnnotationBeanPostProcessor> handlers) {
        return () -> {
            IotHubHandlerAnnotationBeanPostProcessor processor = handlers.getIfUnique();
            Set<String> methods = (processor != null)
                    ? new TreeSet<>(processor.getHandlerMethods().directMethods().keySet()) : Set.of();
            logger.info(describe(why(environment), emulator, details.getDeviceId(), properties.getServicePort() >= 0,
                    methods));
        };
    }

    private static String why(Environment environment) {
        return OnIotHubConnectionPropertiesCondition.configuredProperty(environment)
            .map((name) -> "iothub.emulator.enabled is true, so the hub configured by " + name + " is not used")
            .orElseGet(() -> "No IoT Hub is configured" + OnIotHubConnectionPropertiesCondition
                .unresolvedProperty(environment)
                .map((description) -> " (" + description + ")")
                .orElse("") + "; set iothub.connection-string to use a real hub");
    }

    private static String describe(String why, IotHubEmulator emulator, String deviceId, boolean serviceApi,
            Set<String> directMethods) {
        StringBuilder text = new StringBuilder("Connecting as device '").append(deviceId)
            .append("' to an embedded IoT Hub emulator (MQTT on port ").append(emulator.mqttPort())
            .append((webSocketPort(emulator) > 0) ? ", MQTT over WebSocket on port " + webSocketPort(emulator) : "")
            .append("): ").append(why).append('.');
        if (serviceApi) {
            text.append(" Emulator REST API: ").append(emulator.serviceUri());
            if (directMethods.isEmpty()) {
                text.append('.');
            }
            else {
                text.append(" ; the application answers the direct method(s) ")
                    .append(String.join(", ", directMethods)).append("; invoke one with:")
                    .append(System.lineSeparator())
                    .append("  curl -X POST ").append(emulator.serviceUri()).append("/twins/").append(deviceId)
                    .append("/methods -H 'Content-Type: application/json' -d '{\"methodName\":\"")
                    .append(directMethods.iterator().next())
                    .append("\",\"payload\":{},\"responseTimeoutInSeconds\":10}'");
            }
        }
        return text.toString();
    }

    private static int webSocketPort(IotHubEmulator emulator) {
        try {
            return emulator.webSocketPort();
        }
        catch (IllegalStateException ex) {
            return -1;
        }
    }

    static final class OnEmbeddedEmulatorCondition extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment environment = context.getEnvironment();
            String enabled = environment.getProperty("iothub.emulator.enabled");
            if ("false".equalsIgnoreCase(enabled)) {
                return ConditionOutcome.noMatch("iothub.emulator.enabled is false");
            }
            if ("true".equalsIgnoreCase(enabled)) {
                return ConditionOutcome.match("iothub.emulator.enabled is true");
            }
            return OnIotHubConnectionPropertiesCondition.configuredProperty(environment)
                .map((name) -> ConditionOutcome.noMatch(name + " is set"))
                .orElseGet(() -> ConditionOutcome.match("no IoT Hub connection is configured"));
        }

    }

}
