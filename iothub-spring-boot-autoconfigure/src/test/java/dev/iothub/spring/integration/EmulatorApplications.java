package dev.iothub.spring.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.iothub.emulator.DeviceEndpoint;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.event.IotHubConnectionEvent;
import dev.iothub.spring.event.IotHubSasTokenRenewedEvent;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.awaitility.Awaitility.await;

/**
 * Starts real Spring Boot applications that connect to the emulator over TLS, trusting its CA through an SSL bundle.
 */
final class EmulatorApplications {

    private EmulatorApplications() {
    }

    static ConfigurableApplicationContext run(IotHubEmulator emulator, String deviceId, String... extraProperties) {
        return run(emulator, deviceId, new Class<?>[0], extraProperties);
    }

    static ConfigurableApplicationContext run(IotHubEmulator emulator, String deviceId, Class<?>[] extraSources,
            String... extraProperties) {
        return run(emulator, IotHubTransport.MQTT, deviceId, extraSources, extraProperties);
    }

    /** Runs an application that connects over the transport to the emulator's MQTT or WebSocket endpoint. */
    static ConfigurableApplicationContext run(IotHubEmulator emulator, IotHubTransport transport, String deviceId,
            String... extraProperties) {
        return run(emulator, transport, deviceId, new Class<?>[0], extraProperties);
    }

    static ConfigurableApplicationContext run(IotHubEmulator emulator, IotHubTransport transport, String deviceId,
            Class<?>[] extraSources, String... extraProperties) {
        List<String> properties = new ArrayList<>(List.of(
                "iothub.connection-string=" + emulator.connectionString(deviceId),
                "iothub.transport=" + transport.propertyValue(),
                "iothub.port=" + port(emulator, transport),
                "iothub.ssl.bundle=emulator",
                "spring.ssl.bundle.pem.emulator.truststore.certificate=" + emulator.caCertificatePem(),
                "iothub.connect-timeout=5s",
                "iothub.shutdown-timeout=2s",
                "spring.main.banner-mode=off"));
        properties.addAll(List.of(extraProperties));
        return new SpringApplicationBuilder(DeviceApplication.class).sources(extraSources)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    /** Runs an application, with extra sources (configuration classes or plain beans), and waits until it is connected. */
    static ConfigurableApplicationContext runConnected(IotHubEmulator emulator, String deviceId, Class<?>[] extraSources,
            String... extraProperties) {
        ConfigurableApplicationContext context = run(emulator, deviceId, extraSources, extraProperties);
        await().atMost(awaitTimeout()).until(() -> emulator.isConnected(deviceId));
        return context;
    }

    /** The emulator's port for the transport. */
    static int port(IotHubEmulator emulator, IotHubTransport transport) {
        return (transport == IotHubTransport.MQTT) ? emulator.mqttPort() : emulator.webSocketPort();
    }

    /** The emulator endpoint a device on the transport is connected through. */
    static DeviceEndpoint endpoint(IotHubTransport transport) {
        return (transport == IotHubTransport.MQTT) ? DeviceEndpoint.MQTT : DeviceEndpoint.MQTT_WEBSOCKET;
    }

    static Duration awaitTimeout() {
        return Duration.ofSeconds(20);
    }

    /**
     * A device application: auto-configuration only, plus a recorder of connection events.
     */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class DeviceApplication {

        @Bean
        ConnectionEvents connectionEvents() {
            return new ConnectionEvents();
        }

    }

    /**
     * Records every IoT Hub connection event.
     */
    static class ConnectionEvents implements ApplicationListener<IotHubConnectionEvent> {

        final List<IotHubConnectionEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(IotHubConnectionEvent event) {
            this.events.add(event);
        }

        <T extends IotHubConnectionEvent> List<T> of(Class<T> type) {
            return this.events.stream().filter(type::isInstance).map(type::cast).toList();
        }

        long renewals() {
            return of(IotHubSasTokenRenewedEvent.class).size();
        }

    }

    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

}
