package dev.iothub.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.analyzer.AbstractInjectionFailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Explains a missing IoT Hub bean, such as an {@code IotHubTelemetryTemplate} a user bean injects, when no hub is
 * configured: says so and how to configure one, instead of Spring Boot's generic "could not be found". Ordered before
 * Spring Boot's {@code NoSuchBeanDefinitionFailureAnalyzer}; leaves every other missing bean to it.
 */
class IotHubNotConfiguredFailureAnalyzer extends AbstractInjectionFailureAnalyzer<NoSuchBeanDefinitionException>
        implements Ordered {

    private static final String STARTER_PACKAGE = "dev.iothub.spring.";

    private static final String[] PAHO_CLASSES = { "org.eclipse.paho.client.mqttv3.MqttAsyncClient",
            "org.springframework.integration.mqtt.core.Mqttv3ClientManager" };

    private static final String EMULATOR_CLASS = "dev.iothub.emulator.IotHubEmulator";

    private final BeanFactory beanFactory;

    private final Environment environment;

    IotHubNotConfiguredFailureAnalyzer(BeanFactory beanFactory, Environment environment) {
        this.beanFactory = beanFactory;
        this.environment = environment;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause,
            @Nullable String description) {
        Class<?> type = cause.getBeanType();
        if (type == null || !type.getName().startsWith(STARTER_PACKAGE) || !isPresent(PAHO_CLASSES)
                || isHubConfigured()) {
            return null;
        }
        boolean emulatorPresent = isPresent(EMULATOR_CLASS);
        if (emulatorPresent && !"false".equalsIgnoreCase(this.environment.getProperty("iothub.emulator.enabled"))) {
            return null;
        }
        StringBuilder problem = new StringBuilder(
                "No IoT Hub is configured: neither iothub.connection-string nor iothub.host-name is set, and ")
            .append(emulatorPresent ? "the embedded emulator is switched off (iothub.emulator.enabled=false)"
                    : "iothub-emulator is not on the classpath")
            .append(". So there is no bean of type '")
            .append(type.getName())
            .append("'");
        if (description != null) {
            problem.append(", which ").append(StringUtils.uncapitalize(description)).append(" requires");
        }
        problem.append(".");
        String action = String.format("Configure the hub the device connects to, with one of:%n"
                + "\t- iothub.connection-string: the device's connection string, "
                + "HostName=<hub>.azure-devices.net;DeviceId=<device>;SharedAccessKey=<key>, as shown by "
                + "'az iot hub device-identity connection-string show' (for example "
                + "iothub.connection-string=${IOTHUB_DEVICE_CONNECTION_STRING})%n"
                + "\t- iothub.host-name, iothub.device-id and iothub.shared-access-key%n"
                + "\t- an IotHubConnectionDetails bean%n"
                + "\t- %s", emulatorPresent
                        ? "for local runs and tests, remove iothub.emulator.enabled=false to run against the "
                                + "embedded emulator"
                        : "for local runs and tests, add the dev.iothub:iothub-emulator dependency to run against an "
                                + "embedded emulator");
        return new FailureAnalysis(problem.toString(), action, cause);
    }

    private boolean isHubConfigured() {
        if (OnIotHubConnectionPropertiesCondition.configuredProperty(this.environment).isPresent()
                || OnIotHubConnectionPropertiesCondition.unresolvedProperty(this.environment).isPresent()) {
            return true;
        }
        return this.beanFactory instanceof ListableBeanFactory listable && BeanFactoryUtils
            .beanNamesForTypeIncludingAncestors(listable, IotHubConnectionDetails.class, true, false).length > 0;
    }

    private boolean isPresent(String... classNames) {
        ClassLoader classLoader = (this.beanFactory instanceof ConfigurableBeanFactory configurable)
                ? configurable.getBeanClassLoader() : null;
        for (String className : classNames) {
            if (!ClassUtils.isPresent(className, classLoader)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
