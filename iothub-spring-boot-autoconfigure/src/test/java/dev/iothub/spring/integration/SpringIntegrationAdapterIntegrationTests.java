package dev.iothub.spring.integration;

import java.nio.charset.StandardCharsets;

import dev.iothub.emulator.CloudToDeviceRequest;
import dev.iothub.emulator.IotHubEmulator;
import dev.iothub.spring.connection.IotHubClientManager;
import dev.iothub.spring.event.IotHubDisconnectedEvent;
import dev.iothub.spring.integration.EmulatorApplications.ConnectionEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.IntegrationMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;
import org.springframework.integration.mqtt.outbound.MqttPahoMessageHandler;
import org.springframework.integration.mqtt.support.DefaultPahoMessageConverter;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's promise that Spring Integration MQTT adapters can share the starter's connection: an outbound handler
 * and an inbound adapter built on the {@link IotHubClientManager} bean send and receive over the device's one
 * connection, without a second client that the hub would use to close the first.
 */
class SpringIntegrationAdapterIntegrationTests {

    private static IotHubEmulator emulator;

    @BeforeAll
    static void startEmulator() {
        emulator = IotHubEmulator.builder().servicePort(-1).start();
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @Test
    void adaptersOnTheStartersClientManagerSendAndReceiveOverTheOneConnection() {
        emulator.registerDevice("shared1");
        try (ConfigurableApplicationContext context = EmulatorApplications.run(emulator, "shared1",
                new Class<?>[] { SharedConnectionAdapters.class })) {
            IotHubClientManager manager = context.getBean(IotHubClientManager.class);
            await().atMost(EmulatorApplications.awaitTimeout()).until(manager::isConnected);

            context.getBean("toHub", MessageChannel.class)
                .send(MessageBuilder.withPayload("from an adapter".getBytes(StandardCharsets.UTF_8)).build());
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.telemetry("shared1").stream()
                    .anyMatch((message) -> message.bodyAsString().equals("from an adapter")));

            emulator.sendCloudToDevice("shared1", CloudToDeviceRequest.of("to an adapter"));
            Message<?> received = context.getBean("fromHub", QueueChannel.class)
                .receive(EmulatorApplications.awaitTimeout().toMillis());
            assertThat(received).isNotNull();
            assertThat(new String((byte[]) received.getPayload(), StandardCharsets.UTF_8)).isEqualTo("to an adapter");
            // The shared manager acknowledges manually, so the adapter's messages carry the callback that completes them.
            received.getHeaders()
                .get(IntegrationMessageHeaderAccessor.ACKNOWLEDGMENT_CALLBACK, SimpleAcknowledgment.class)
                .acknowledge();

            assertThat(context.getBean(ConnectionEvents.class).of(IotHubDisconnectedEvent.class)).isEmpty();
            assertThat(manager.isConnected()).isTrue();
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.pendingCloudToDevice("shared1") == 0);
        }
    }

    @Test
    void whenAnAdapterOnlySendsAndNoCloudToDeviceHandlerExistsThenCloudToDeviceMessagesAreCompleted() {
        emulator.registerDevice("shared2");
        try (ConfigurableApplicationContext context = EmulatorApplications.runConnected(emulator, "shared2",
                new Class<?>[] { OutboundAdapterOnly.class })) {
            emulator.sendCloudToDevice("shared2", CloudToDeviceRequest.of("for nobody"));
            await().atMost(EmulatorApplications.awaitTimeout())
                .until(() -> emulator.pendingCloudToDevice("shared2") == 0);
            assertThat(context.getBean(IotHubClientManager.class).isConnected()).isTrue();
        }
    }

    /** An outbound adapter that sends telemetry over the starter's connection. */
    static MqttPahoMessageHandler telemetryHandler(IotHubClientManager clientManager, String deviceId) {
        MqttPahoMessageHandler handler = new MqttPahoMessageHandler(clientManager);
        handler.setDefaultTopic("devices/" + deviceId + "/messages/events/");
        handler.setDefaultQos(1);
        handler.setAsync(true);
        return handler;
    }

    @Configuration(proxyBeanMethods = false)
    static class OutboundAdapterOnly {

        @Bean
        MqttPahoMessageHandler telemetryHandler(IotHubClientManager clientManager) {
            return SpringIntegrationAdapterIntegrationTests.telemetryHandler(clientManager, "shared2");
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class SharedConnectionAdapters {

        @Bean
        MqttPahoMessageHandler telemetryHandler(IotHubClientManager clientManager) {
            return SpringIntegrationAdapterIntegrationTests.telemetryHandler(clientManager, "shared1");
        }

        @Bean
        IntegrationFlow toHubFlow(MqttPahoMessageHandler telemetryHandler) {
            return IntegrationFlow.from("toHub").handle(telemetryHandler).get();
        }

        @Bean
        QueueChannel fromHub() {
            return new QueueChannel();
        }

        @Bean
        MqttPahoMessageDrivenChannelAdapter cloudToDeviceAdapter(IotHubClientManager clientManager,
                QueueChannel fromHub) {
            MqttPahoMessageDrivenChannelAdapter adapter = new MqttPahoMessageDrivenChannelAdapter(clientManager,
                    "devices/shared1/messages/devicebound/#");
            DefaultPahoMessageConverter converter = new DefaultPahoMessageConverter();
            converter.setPayloadAsBytes(true);
            adapter.setConverter(converter);
            adapter.setQos(1);
            adapter.setOutputChannel(fromHub);
            return adapter;
        }

    }

}
