package dev.iothub.emulator;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import dev.iothub.emulator.mqtt.DeviceConnection;
import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.MqttUsername;
import dev.iothub.protocol.SasToken;
import dev.iothub.protocol.Topics;
import dev.iothub.protocol.UrlEncoding;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.awaitility.Awaitility.await;

/**
 * The emulator behaves like IoT Hub (not like a generic broker) for a plain Paho client.
 */
class HubBehaviourTests {

    private static final AtomicInteger ids = new AtomicInteger();

    private static final JsonMapper json = JsonMapper.builder().build();

    private static IotHubEmulator hub;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().start();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static PahoDevice newDevice() throws MqttException {
        return newDevice(DeviceEndpoint.MQTT);
    }

    private static PahoDevice newDevice(DeviceEndpoint endpoint) throws MqttException {
        String deviceId = "device-" + ids.incrementAndGet();
        hub.registerDevice(deviceId);
        return new PahoDevice(hub, deviceId, endpoint);
    }

    private static int refusalCode(PahoDevice device, String password) {
        try {
            device.connectWith(device.options(password, false));
            throw new AssertionError("CONNECT was accepted");
        }
        catch (MqttException ex) {
            return ex.getReasonCode();
        }
    }

    private static MqttConnectOptions x509Options(String deviceId, SSLContext tls) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setSocketFactory(tls.getSocketFactory());
        options.setUserName(MqttUsername.format(hub.hubName(), deviceId, null, null));
        return options;
    }

    private static boolean someoneAwaitsNextTelemetry() {
        return Thread.getAllStackTraces().entrySet().stream()
            .anyMatch((thread) -> thread.getKey().getState() == Thread.State.TIMED_WAITING
                    && Arrays.stream(thread.getValue())
                        .anyMatch((frame) -> frame.getMethodName().equals("awaitNextTelemetry")));
    }

    private static void awaitDisconnected(PahoDevice device) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !device.isConnected() && device.connectionLost != null);
    }

    /** {@code {"level":{"level":...{"leaf":1}}}}: a patch whose objects nest the given number of levels deep. */
    private static String nested(int depth) {
        return "{\"level\":".repeat(depth) + "{\"leaf\":1}" + "}".repeat(depth);
    }

    /** A map holding maps the given number of levels deep. */
    private static Map<String, ?> deepMap(int depth) {
        Map<String, Object> map = Map.of("leaf", 1);
        for (int i = 0; i < depth; i++) {
            map = Map.of("level", map);
        }
        return map;
    }

    @Nested
    class Authentication {

        @Test
        void whenTheKeyIsWrongThenConnackIs5() throws Exception {
            try (PahoDevice device = newDevice()) {
                String wrong = SasToken.create(hub.hubName(), device.client().getClientId(), null,
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Instant.now().plusSeconds(60)).text();
                assertThat(refusalCode(device, wrong)).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            }
        }

        @Test
        void whenTheTokenExpiredThenConnackIs5() throws Exception {
            try (PahoDevice device = newDevice()) {
                assertThat(refusalCode(device, device.token(Duration.ofSeconds(-5))))
                    .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            }
        }

        @Test
        void whenTheScopeIsAnotherDeviceThenConnackIs5() throws Exception {
            try (PahoDevice device = newDevice()) {
                String otherScope = SasToken.create(hub.hubName() + "/devices/someone-else",
                        hub.device(device.client().getClientId()).primaryKey(), Instant.now().plusSeconds(60)).text();
                assertThat(refusalCode(device, otherScope)).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            }
        }

        @Test
        void whenTheTokenOrTheUsernameNamesAnotherHubThenConnackIs5() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                String key = hub.device(deviceId).primaryKey();
                String otherHubToken = SasToken.create("evil.azure-devices.net", deviceId, null, key,
                        Instant.now().plusSeconds(60)).text();
                String otherHubUsername = MqttUsername.format("evil.azure-devices.net", deviceId, null, null);
                for (String[] credentials : List.of(new String[] { otherHubUsername, otherHubToken },
                        new String[] { otherHubUsername, device.token(Duration.ofMinutes(1)) },
                        new String[] { MqttUsername.format(hub.hubName(), deviceId, null, null), otherHubToken })) {
                    MqttConnectOptions options = device.options(credentials[1], false);
                    options.setUserName(credentials[0]);
                    assertThatExceptionOfType(MqttException.class).isThrownBy(() -> device.connectWith(options))
                        .satisfies((ex) -> assertThat(ex.getReasonCode())
                            .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
                }
                assertThat(hub.isConnected(deviceId)).isFalse();
            }
        }

        @Test
        void whenTheUsernameHasAMalformedPercentEscapeThenConnackIs5() throws Exception {
            try (PahoDevice device = newDevice()) {
                MqttConnectOptions options = device.options(device.token(Duration.ofMinutes(1)), false);
                options.setUserName(options.getUserName() + "&model-id=%zz");
                assertThatExceptionOfType(MqttException.class).isThrownBy(() -> device.connectWith(options))
                    .satisfies((ex) -> assertThat(ex.getReasonCode())
                        .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
            }
        }

        @Test
        void whenTheExpiryIsBeyondAnyDateThenConnackIs5AndTheLiveConnectionStays() throws Exception {
            try (PahoDevice live = newDevice()) {
                live.connect();
                String deviceId = live.client().getClientId();
                String resource = SasToken.resourceUri(hub.hubName(), deviceId, null);
                String key = hub.device(deviceId).primaryKey();
                for (String se : List.of(Long.toString(Long.MAX_VALUE), "10000000000000000", "253402300800")) {
                    String token = "SharedAccessSignature sig="
                            + UrlEncoding.encode(SasToken.sign(key, resource + "\n" + se)) + "&se=" + se + "&sr="
                            + resource;
                    try (PahoDevice intruder = new PahoDevice(hub, deviceId)) {
                        assertThat(refusalCode(intruder, token)).as(se)
                            .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
                    }
                }
                assertThat(live.isConnected()).isTrue();
                assertThat(hub.isConnected(deviceId)).isTrue();
            }
        }

        @Test
        void whenTheDeviceIsUnknownThenConnackIs5() throws Exception {
            String deviceId = "device-" + ids.incrementAndGet();
            DeviceIdentity registered = hub.registerDevice(deviceId);
            try (PahoDevice device = new PahoDevice(hub, deviceId)) {
                String token = device.token(Duration.ofMinutes(5));
                hub.removeDevice(deviceId);
                assertThat(registered.primaryKey()).isNotBlank();
                assertThat(refusalCode(device, token)).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED);
            }
        }

        @Test
        void whenTheUrlEncodedSrFormIsUsedThenItIsAccepted() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                String encoded = SasToken.create(hub.hubName() + "%2Fdevices%2F" + deviceId,
                        hub.device(deviceId).secondaryKey(), Instant.now().plusSeconds(60)).text();
                device.connectWith(device.options(encoded, false));
                assertThat(hub.isConnected(deviceId)).isTrue();
            }
        }

        @Test
        void whenARegisteredCertificateIsPresentedWithoutPasswordThenTheDeviceConnectsAsX509() throws Exception {
            String deviceId = "device-" + ids.incrementAndGet();
            DeviceCertificate certificate = DeviceCertificate.generate(deviceId);
            hub.registerX509Device(deviceId, certificate.certificate());
            MqttClient client = new MqttClient("ssl://localhost:" + hub.mqttPort(), deviceId, new MemoryPersistence());
            try {
                client.connect(x509Options(deviceId, hub.clientSslContext(certificate)));
                client.publish("devices/" + deviceId + "/messages/events/", "x".getBytes(StandardCharsets.UTF_8), 1,
                        false);
                ReceivedTelemetry message = hub.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10));
                assertThat(message.systemProperties().get("iothub-connection-auth-method")).contains("\"x509\"");
            }
            finally {
                client.disconnect();
                client.close();
            }
        }

        @Test
        void whenAnotherCertificateOrNoneIsPresentedThenConnackIs5() throws Exception {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerX509Device(deviceId, DeviceCertificate.generate(deviceId).certificate());
            for (SSLContext tls : List.of(hub.clientSslContext(DeviceCertificate.generate(deviceId)),
                    hub.clientSslContext())) {
                MqttClient client = new MqttClient("ssl://localhost:" + hub.mqttPort(), deviceId,
                        new MemoryPersistence());
                try {
                    assertThatExceptionOfType(MqttException.class)
                        .isThrownBy(() -> client.connect(x509Options(deviceId, tls)))
                        .satisfies((ex) -> assertThat(ex.getReasonCode())
                            .isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
                }
                finally {
                    client.close();
                }
            }
        }

        @Test
        void whenTheTokenExpiresWhileConnectedThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connectWith(device.options(device.token(Duration.ofSeconds(5)), false));
                assertThat(device.isConnected()).isTrue();
                awaitDisconnected(device);
                assertThat(hub.isConnected(device.client().getClientId())).isFalse();
            }
        }
    }

    @Nested
    class Connections {

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenASecondConnectionArrivesThenTheFirstIsKicked(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice first = newDevice(endpoint)) {
                first.connect();
                String deviceId = first.client().getClientId();
                DeviceEndpoint other = (endpoint == DeviceEndpoint.MQTT) ? DeviceEndpoint.MQTT_WEBSOCKET
                        : DeviceEndpoint.MQTT;
                try (PahoDevice second = new PahoDevice(hub, deviceId, other)) {
                    second.connect();
                    awaitDisconnected(first);
                    assertThat(second.isConnected()).isTrue();
                    assertThat(hub.connectedVia(deviceId)).contains(other);
                    second.subscribe(Topics.METHODS_FILTER, 1);
                    CompletableFuture<MethodResult> call = hub.invokeMethodAsync(deviceId, "ping", null,
                            Duration.ofSeconds(10));
                    PahoDevice.Received request = second.next();
                    HubTopic.MethodRequest parsed = (HubTopic.MethodRequest) HubTopic.parse(request.topic())
                        .orElseThrow();
                    second.publish(Topics.methodResponse(200, parsed.requestId()), "{}", 1, false);
                    assertThat(call.join().status()).isEqualTo(200);
                }
            }
        }

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenForcedToDisconnectThenTheClientLosesTheConnection(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                hub.disconnect(device.client().getClientId());
                awaitDisconnected(device);
            }
        }
    }

    @Nested
    class Subscriptions {

        @Test
        void whenSubscribingWithQos2ThenQos1IsGranted() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                assertThat(device.subscribe(Topics.METHODS_FILTER, 2)).isEqualTo(1);
                assertThat(device.subscribe(Topics.TWIN_RESPONSES_FILTER, 0)).isEqualTo(0);
            }
        }

        @Test
        void whenSubscribingToAnUnsupportedFilterThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                assertThatExceptionOfType(MqttException.class)
                    .isThrownBy(() -> device.subscribe("devices/other/messages/devicebound/#", 1));
                awaitDisconnected(device);
            }
        }

        @Test
        void whenSubscribingMoreThanFiveFiltersThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.METHODS_FILTER, 1);
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.subscribe(Topics.DESIRED_PROPERTIES_FILTER, 1);
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                device.subscribe("devices/+/messages/devicebound/#", 1);
                assertThatExceptionOfType(MqttException.class).isThrownBy(() -> device.subscribe("#", 1));
                awaitDisconnected(device);
            }
        }
    }

    @Nested
    class Telemetry {

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenTelemetryHasAPropertyBagThenSystemAndApplicationPropertiesAreDecoded(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.publish("devices/" + deviceId + "/messages/events/$.mid=m%201&%24.ct=application%2Fjson"
                        + "&$.ce=utf-8&my%20prop=a%20b%26c&flag&empty=", "{\"t\":21}", 1, false);
                ReceivedTelemetry message = hub.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10));
                assertThat(message.bodyAsString()).isEqualTo("{\"t\":21}");
                assertThat(message.systemProperties()).containsEntry("message-id", "m 1")
                    .containsEntry("content-type", "application/json")
                    .containsEntry("content-encoding", "utf-8")
                    .containsEntry("iothub-connection-device-id", deviceId)
                    .containsKey("iothub-enqueuedtime");
                assertThat(message.properties()).containsExactly(entry("my prop", "a b&c"), entry("flag", null),
                        entry("empty", ""));
            }
        }

        @Test
        void whenAwaitingTheNextMessageThenEarlierOnesAreSkipped() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.publish("devices/" + deviceId + "/messages/events/", "old", 1, false);
                hub.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10));
                CompletableFuture<ReceivedTelemetry> next = CompletableFuture
                    .supplyAsync(() -> hub.awaitNextTelemetry(deviceId, Duration.ofSeconds(10)));
                await().atMost(Duration.ofSeconds(10)).until(HubBehaviourTests::someoneAwaitsNextTelemetry);
                device.publish("devices/" + deviceId + "/messages/events/", "new", 1, false);
                assertThat(next.get(10, TimeUnit.SECONDS).bodyAsString()).isEqualTo("new");
                assertThatExceptionOfType(AssertionError.class)
                    .isThrownBy(() -> hub.awaitNextTelemetry(deviceId, Duration.ofMillis(200)));
            }
        }

        @Test
        void whenTheTelemetryExceedsTheByteCapacityThenTheOldestMessagesAreDropped() throws Exception {
            try (IotHubEmulator small = IotHubEmulator.builder().servicePort(-1).telemetryCapacityBytes(600 * 1024)
                .device("chatty").start(); PahoDevice device = new PahoDevice(small, "chatty").connect()) {
                for (int i = 0; i < 4; i++) {
                    device.publish("devices/chatty/messages/events/n=" + i, "x".repeat(200 * 1024), 1, false);
                }
                small.awaitTelemetry("chatty", (message) -> "3".equals(message.properties().get("n")),
                        Duration.ofSeconds(10));
                assertThat(small.telemetry("chatty")).extracting((message) -> message.properties().get("n"))
                    .containsExactly("2", "3");
            }
        }

        @Test
        void whenRetainIsSetThenTheMessageCarriesMqttRetain() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.publish("devices/" + deviceId + "/messages/events/", "r", 1, true);
                ReceivedTelemetry message = hub.awaitTelemetry(deviceId, (m) -> true, Duration.ofSeconds(10));
                assertThat(message.properties()).containsEntry("mqtt-retain", "true");
            }
        }

        @Test
        void whenPublishingWithQos2ThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                assertThatExceptionOfType(MqttException.class).isThrownBy(
                        () -> device.publish("devices/" + deviceId + "/messages/events/", "x", 2, false));
                awaitDisconnected(device);
                assertThat(hub.telemetry(deviceId)).isEmpty();
            }
        }

        @Test
        void whenPublishingToAnUnknownTopicThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                assertThatExceptionOfType(MqttException.class)
                    .isThrownBy(() -> device.publish("some/broker/topic", "x", 1, false));
                awaitDisconnected(device);
            }
        }

        @Test
        void whenAPropertyBagHasAMalformedPercentEscapeThenTheHubClosesDeliberately() throws Exception {
            try (LogCapture log = LogCapture.of(DeviceConnection.class); PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                assertThatExceptionOfType(MqttException.class).isThrownBy(
                        () -> device.publish("devices/" + deviceId + "/messages/events/a=%zz", "x", 1, false));
                awaitDisconnected(device);
                assertThat(hub.telemetry(deviceId)).isEmpty();
                await().atMost(Duration.ofSeconds(10)).until(() -> log.messages().stream()
                    .anyMatch((message) -> message.contains(deviceId) && message.contains("malformed percent-escape")));
                assertThat(log.messages()).noneMatch((message) -> message.startsWith("Connection error"));
            }
        }

        @Test
        void whenPublishingAsAnotherDeviceThenTheHubDisconnects() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                assertThatExceptionOfType(MqttException.class)
                    .isThrownBy(() -> device.publish("devices/someone-else/messages/events/", "x", 1, false));
                awaitDisconnected(device);
            }
        }

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenTelemetryIsOver256KbThenTheHubDisconnects(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                String deviceId = device.client().getClientId();
                String big = "x".repeat(256 * 1024);
                assertThatExceptionOfType(MqttException.class)
                    .isThrownBy(() -> device.publish("devices/" + deviceId + "/messages/events/", big, 1, false));
                awaitDisconnected(device);
            }
        }
    }

    @Nested
    class ServiceApi {

        @Test
        void whenADeviceIsRemovedThenItsModulesGoWithIt() {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            hub.registerModule(deviceId, "m1");
            hub.removeDevice(deviceId);
            assertThat(hub.devices()).extracting(DeviceIdentity::deviceId).doesNotContain(deviceId);
        }

        @Test
        void whenADesiredNameStartsWithDollarThenThePatchIsRejected() {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            assertThatExceptionOfType(IotHubServiceException.class)
                .isThrownBy(() -> hub.patchDesired(deviceId, Map.of("$version", 7)))
                .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
            assertThat(hub.twin(deviceId).desiredVersion()).isEqualTo(1);
        }

        @Test
        void whenAnIdentityIsUnknownThenReadingItsTelemetryFailsWith404001() {
            assertThatExceptionOfType(IotHubServiceException.class).isThrownBy(() -> hub.telemetry("nobody"))
                .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(404001));
        }

        @Test
        void whenAnIdBreaksIotHubsRulesThenRegisteringFailsWith400004() {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            for (String bad : List.of("cr\r\nlf", "nul\u0000", "hash#", "plus+", "space id", "slash/x", "",
                    "x".repeat(129), "é")) {
                assertThatExceptionOfType(IotHubServiceException.class).as(bad)
                    .isThrownBy(() -> hub.registerDevice(bad))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
                assertThatExceptionOfType(IotHubServiceException.class).as(bad)
                    .isThrownBy(() -> hub.registerModule(deviceId, bad))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
            }
            String allowed = "aZ09-.%_*?!(),:=@$'" + ids.incrementAndGet();
            assertThat(hub.registerDevice(allowed).id()).isEqualTo(allowed);
            assertThat(hub.registerModule(deviceId, "m".repeat(128)).moduleId()).hasSize(128);
        }

        @Test
        void whenADeviceIsRemovedThenOnlyItAndItsModulesGo() {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            hub.registerModule(deviceId, "m1");
            hub.registerModule(deviceId, "m2");
            hub.registerDevice(deviceId + "0");
            hub.registerModule(deviceId + "0", "m1");
            hub.removeDevice(deviceId + "/m2");
            assertThat(hub.devices()).extracting(DeviceIdentity::id)
                .contains(deviceId, deviceId + "/m1", deviceId + "0", deviceId + "0/m1")
                .doesNotContain(deviceId + "/m2");
            hub.removeDevice(deviceId);
            assertThat(hub.devices()).extracting(DeviceIdentity::id)
                .doesNotContain(deviceId, deviceId + "/m1")
                .contains(deviceId + "0", deviceId + "0/m1");
            assertThatExceptionOfType(IotHubServiceException.class)
                .isThrownBy(() -> hub.registerModule(deviceId, "m3"))
                .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(404001));
        }

        /**
         * Deleting a device costs the same however many devices the hub holds: 10,000 deletions among 20,000
         * devices take milliseconds, and scanning the registry for each deletion took over ten seconds.
         */
        @Test
        void whenManyDevicesAreDeletedThenEachDeletionIsIndependentOfTheRegistrySize() {
            try (IotHubEmulator crowded = IotHubEmulator.builder().servicePort(-1).start()) {
                List<String> deviceIds = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    deviceIds.add(crowded.registerDevice("crowd-" + i).id());
                }
                assertTimeout(Duration.ofSeconds(3), () -> deviceIds.subList(0, 10_000).forEach(crowded::removeDevice));
                assertThat(crowded.devices()).hasSize(10_000);
            }
        }

        @Test
        void whenTheMqttPortIsTakenThenStartingFailsClearly() {
            assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> IotHubEmulator.builder().mqttPort(hub.mqttPort()).servicePort(-1).start())
                .withMessageContaining("Cannot listen for devices on");
        }

        @Test
        void whenTheWebSocketPortIsTakenThenStartingFailsClearlyAndFreesTheMqttPort() throws Exception {
            int mqttPort;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                mqttPort = probe.getLocalPort();
            }
            assertThatExceptionOfType(IllegalStateException.class)
                .isThrownBy(() -> IotHubEmulator.builder().mqttPort(mqttPort).webSocketPort(hub.webSocketPort())
                    .servicePort(-1).start())
                .withMessageContaining("Cannot listen for devices on")
                .withMessageContaining("(mqtt-ws)");
            try (IotHubEmulator again = IotHubEmulator.builder().mqttPort(mqttPort).servicePort(-1).start()) {
                assertThat(again.mqttPort()).isEqualTo(mqttPort);
            }
        }
    }

    @Nested
    class Modules {

        @Test
        void whenAModuleConnectsThenItsTelemetryCarriesTheModuleIdentity() throws Exception {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            DeviceIdentity module = hub.registerModule(deviceId, "filter");
            MqttClient client = new MqttClient("ssl://localhost:" + hub.mqttPort(), module.id(), new MemoryPersistence());
            try {
                MqttConnectOptions options = new MqttConnectOptions();
                options.setSocketFactory(hub.clientSslContext().getSocketFactory());
                options.setUserName(MqttUsername.format(hub.hubName(), deviceId, "filter", null));
                options.setPassword(SasToken.create(hub.hubName(), deviceId, "filter", module.primaryKey(),
                        Instant.now().plusSeconds(60)).text().toCharArray());
                client.connect(options);
                client.publish("devices/" + deviceId + "/modules/filter/messages/events/$.ct=text%2Fplain/",
                        "hello".getBytes(StandardCharsets.UTF_8), 1, false);
                ReceivedTelemetry message = hub.awaitTelemetry(module.id(), (m) -> true, Duration.ofSeconds(10));
                assertThat(message.moduleId()).isEqualTo("filter");
                assertThat(message.systemProperties()).containsEntry("iothub-connection-module-id", "filter")
                    .containsEntry("content-type", "text/plain");
                assertThat(hub.telemetry(deviceId)).isEmpty();
            }
            finally {
                client.disconnect();
                client.close();
            }
        }

        @Test
        void whenTheDeviceDoesNotExistThenItsModuleCannotBeRegistered() {
            assertThatExceptionOfType(IotHubServiceException.class)
                .isThrownBy(() -> hub.registerModule("no-such-device", "m"))
                .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(404001));
        }
    }

    @Nested
    class Twins {

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenGettingANewTwinThenBothVersionsAreOne(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.publish(Topics.twinGet("1"), "", 1, false);
                PahoDevice.Received response = device.next();
                assertThat(response.topic()).isEqualTo("$iothub/twin/res/200/?$rid=1");
                assertThat(response.message().getQos()).isZero();
                assertThat(json.readTree(response.body()))
                    .isEqualTo(json.readTree("{\"desired\":{\"$version\":1},\"reported\":{\"$version\":1}}"));
            }
        }

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenPatchingReportedThenTheyMergeAndTheVersionIsReturned(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.publish(Topics.reportedPatch("a", null), "{\"temp\":21.5,\"info\":{\"fw\":\"1\",\"hw\":\"x\"}}",
                        1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/204/?$rid=a&$version=2");
                device.publish(Topics.reportedPatch("b", 2L), "{\"temp\":null,\"info\":{\"fw\":\"2\"}}", 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/204/?$rid=b&$version=3");
                TwinSnapshot twin = hub.twin(deviceId);
                assertThat(twin.reported()).isEqualTo(Map.of("info", Map.of("fw", "2", "hw", "x")));
                assertThat(twin.reportedVersion()).isEqualTo(3);
            }
        }

        @Test
        void whenTheExpectedVersionIsStaleThen412AndMalformedThen400() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.publish(Topics.reportedPatch("a", 7L), "{\"x\":1}", 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/412/?$rid=a");
                device.publish(Topics.reportedPatch("b", null), "{not json", 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/400/?$rid=b");
                assertThat(hub.twin(device.client().getClientId()).reportedVersion()).isEqualTo(1);
            }
        }

        @Test
        void whenAReportedPatchBreaksTheSizeOrDepthLimitThenTheDeviceGets400AndTheTwinIsUnchanged()
                throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.publish(Topics.reportedPatch("big", null), "{\"big\":\"" + "x".repeat(33 * 1024) + "\"}", 1,
                        false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/400/?$rid=big");
                device.publish(Topics.reportedPatch("a", null), "{\"a\":\"" + "x".repeat(20 * 1024) + "\"}", 1,
                        false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/204/?$rid=a&$version=2");
                device.publish(Topics.reportedPatch("b", null), "{\"b\":\"" + "x".repeat(20 * 1024) + "\"}", 1,
                        false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/400/?$rid=b");
                device.publish(Topics.reportedPatch("d11", null), nested(11), 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/400/?$rid=d11");
                device.publish(Topics.reportedPatch("d500", null), nested(500), 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/400/?$rid=d500");
                device.publish(Topics.reportedPatch("d10", null), nested(10), 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/204/?$rid=d10&$version=3");
                device.publish(Topics.twinGet("get"), "", 1, false);
                assertThat(device.next().topic()).isEqualTo("$iothub/twin/res/200/?$rid=get");
                assertThat(hub.twin(deviceId).reported()).containsOnlyKeys("a", "level");
            }
        }

        @Test
        void whenADesiredPatchBreaksTheSizeOrDepthLimitThenItFailsWith400004() {
            String deviceId = "device-" + ids.incrementAndGet();
            hub.registerDevice(deviceId);
            for (Map<String, ?> patch : List.of(Map.of("big", "x".repeat(1024 * 1024)), deepMap(11), deepMap(600))) {
                assertThatExceptionOfType(IotHubServiceException.class)
                    .isThrownBy(() -> hub.patchDesired(deviceId, patch))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
            }
            assertThat(hub.patchDesired(deviceId, deepMap(10))).isEqualTo(2);
            assertThat(hub.twin(deviceId).desiredVersion()).isEqualTo(2);
        }

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenDesiredChangesThenASubscribedDeviceIsNotifiedAndAnOfflineOneIsNot(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                String deviceId = device.client().getClientId();
                hub.patchDesired(deviceId, Map.of("color", "red"));
                device.connect();
                device.subscribe(Topics.DESIRED_PROPERTIES_FILTER, 1);
                Map<String, Object> patch = new LinkedHashMap<>();
                patch.put("color", "blue");
                patch.put("gone", null);
                assertThat(hub.patchDesired(deviceId, patch)).isEqualTo(3);
                PahoDevice.Received notification = device.next();
                assertThat(notification.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=3");
                JsonNode body = json.readTree(notification.body());
                assertThat(body.get("color").asString()).isEqualTo("blue");
                assertThat(body.get("gone").isNull()).isTrue();
                assertThat(body.get("$version").asLong()).isEqualTo(3);
                assertThat(device.received).isEmpty();
            }
        }
    }

    @Nested
    class DirectMethods {

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenTheDeviceAnswersThenTheCallerGetsStatusAndPayload(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.METHODS_FILTER, 1);
                CompletableFuture<MethodResult> call = hub.invokeMethodAsync(deviceId, "reboot", "{\"delay\":5}",
                        Duration.ofSeconds(10));
                PahoDevice.Received request = device.next();
                assertThat(request.message().getQos()).isZero();
                assertThat(request.body()).isEqualTo("{\"delay\":5}");
                HubTopic.MethodRequest parsed = (HubTopic.MethodRequest) HubTopic.parse(request.topic()).orElseThrow();
                assertThat(parsed.methodName()).isEqualTo("reboot");
                device.publish(Topics.methodResponse(201, parsed.requestId()), "{\"ok\":true}", 1, false);
                assertThat(call.join()).isEqualTo(new MethodResult(201, "{\"ok\":true}"));
            }
        }

        @Test
        void whenTheDeviceIsOfflineOrNotSubscribedThen404103() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                assertThatExceptionOfType(MethodInvocationException.class)
                    .isThrownBy(() -> hub.invokeMethod(deviceId, "reboot", null, Duration.ofSeconds(5)))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(404103));
                device.connect();
                assertThatExceptionOfType(MethodInvocationException.class)
                    .isThrownBy(() -> hub.invokeMethod(deviceId, "reboot", null, Duration.ofSeconds(5)))
                    .satisfies((ex) -> assertThat(ex.getHttpStatus()).isEqualTo(404));
            }
        }

        @Test
        void whenTheDeviceDoesNotAnswerThen504101AndALateAnswerIsDropped() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.METHODS_FILTER, 1);
                assertThatExceptionOfType(MethodInvocationException.class)
                    .isThrownBy(() -> hub.invokeMethod(deviceId, "slow", null, Duration.ofSeconds(5)))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(504101));
                HubTopic.MethodRequest late = (HubTopic.MethodRequest) HubTopic.parse(device.next().topic())
                    .orElseThrow();
                device.publish(Topics.methodResponse(200, late.requestId()), "{}", 1, false);
                assertThat(device.isConnected()).isTrue();
            }
        }

        @Test
        void whenAMethodNameBreaksTheRulesThenTheCallFailsWith400004AndNothingReachesTheDevice() throws Exception {
            try (PahoDevice device = newDevice()) {
                device.connect();
                String deviceId = device.client().getClientId();
                device.subscribe(Topics.METHODS_FILTER, 1);
                for (String bad : List.of("x/?$rid=999&", "hash#", "plus+", "nul\u0000", "new\nline", "sp ace", "",
                        "m".repeat(129), "m".repeat(65_536))) {
                    assertThatExceptionOfType(IotHubServiceException.class).as(bad)
                        .isThrownBy(() -> hub.invokeMethodAsync(deviceId, bad, null, Duration.ofSeconds(5)))
                        .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
                }
                CompletableFuture<MethodResult> call = hub.invokeMethodAsync(deviceId, "thermostat*get-Max_min.1",
                        null, Duration.ofSeconds(10));
                HubTopic.MethodRequest parsed = (HubTopic.MethodRequest) HubTopic.parse(device.next().topic())
                    .orElseThrow();
                assertThat(parsed.methodName()).isEqualTo("thermostat*get-Max_min.1");
                device.publish(Topics.methodResponse(200, parsed.requestId()), "{}", 1, false);
                assertThat(call.join().status()).isEqualTo(200);
                assertThat(device.received).isEmpty();
            }
        }

        @Test
        void whenTheTimeoutIsOutOfRangeThenTheCallIsRejected() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                assertThatExceptionOfType(IotHubServiceException.class)
                    .isThrownBy(() -> hub.invokeMethod(deviceId, "m", null, Duration.ofSeconds(301)));
            }
        }
    }

    @Nested
    class CloudToDevice {

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenQueuedWhileOfflineThenDeliveredOnReconnectAndNotAgainAfterPuback(DeviceEndpoint endpoint) throws Exception {
            try (PahoDevice device = newDevice(endpoint)) {
                String deviceId = device.client().getClientId();
                device.connect(false);
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                device.client().disconnect();
                hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("{\"cmd\":1}").messageId("mid-1")
                    .correlationId("cid-9").contentType("application/json").contentEncoding("utf-8")
                    .property("app prop", "a b&c").property("flag", null).property("empty", ""));
                assertThat(hub.pendingCloudToDevice(deviceId)).isEqualTo(1);
                device.connect(false);
                PahoDevice.Received delivered = device.next();
                assertThat(delivered.message().getQos()).isEqualTo(1);
                assertThat(delivered.body()).isEqualTo("{\"cmd\":1}");
                assertThat(delivered.topic()).isEqualTo("devices/" + deviceId + "/messages/devicebound/%24.mid=mid-1"
                        + "&%24.to=%2Fdevices%2F" + deviceId + "%2Fmessages%2Fdevicebound&%24.cid=cid-9"
                        + "&%24.ct=application%2Fjson&%24.ce=utf-8&app%20prop=a%20b%26c&flag&empty=");
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.pendingCloudToDevice(deviceId) == 0);
                device.client().disconnect();
                device.connect(false);
                hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("second"));
                assertThat(device.next().body()).isEqualTo("second");
                assertThat(device.received).isEmpty();
            }
        }

        @Test
        void whenTwoMessagesShareAnIdThenAcknowledgingOneKeepsTheOther() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                device.client().setManualAcks(true);
                device.connect(false);
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("first").messageId("same"));
                hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("second").messageId("same"));
                PahoDevice.Received first = device.next();
                device.next();
                device.client().messageArrivedComplete(first.message().getId(), 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.pendingCloudToDevice(deviceId) == 1);
                device.client().disconnect();
                device.connect(false);
                assertThat(device.next().body()).isEqualTo("second");
            }
        }

        @Test
        void whenAMessageIsOver64KbThenSendingFailsWith400004() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                assertThatExceptionOfType(IotHubServiceException.class)
                    .isThrownBy(() -> hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("x".repeat(65 * 1024))))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(400004));
                assertThat(hub.pendingCloudToDevice(deviceId)).isZero();
            }
        }

        @Test
        void whenTheQueueHolds50ThenSendingFailsWith403004() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                for (int i = 0; i < 50; i++) {
                    hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("m" + i));
                }
                assertThatExceptionOfType(IotHubServiceException.class)
                    .isThrownBy(() -> hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("one too many")))
                    .satisfies((ex) -> assertThat(ex.getErrorCode()).isEqualTo(403004));
            }
        }

        @Test
        void whenCleanSessionIsUsedThenNothingIsDeliveredBeforeSubscribing() throws Exception {
            try (PahoDevice device = newDevice()) {
                String deviceId = device.client().getClientId();
                hub.sendCloudToDevice(deviceId, CloudToDeviceRequest.of("waiting".getBytes(StandardCharsets.UTF_8)));
                device.connect(true);
                assertThat(device.received).isEmpty();
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                assertThat(device.next().body()).isEqualTo("waiting");
            }
        }
    }
}
