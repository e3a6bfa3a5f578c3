package dev.iothub.emulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

import com.microsoft.azure.sdk.iot.service.exceptions.IotHubNotFoundException;
import com.microsoft.azure.sdk.iot.service.exceptions.IotHubUnauthorizedException;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodRequestOptions;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.service.methods.DirectMethodsClient;
import com.microsoft.azure.sdk.iot.service.query.QueryClient;
import com.microsoft.azure.sdk.iot.service.query.QueryPageOptions;
import com.microsoft.azure.sdk.iot.service.query.TwinQueryResponse;
import com.microsoft.azure.sdk.iot.service.registry.Device;
import com.microsoft.azure.sdk.iot.service.registry.Module;
import com.microsoft.azure.sdk.iot.service.registry.RegistryClient;
import com.microsoft.azure.sdk.iot.service.twin.Twin;
import com.microsoft.azure.sdk.iot.service.twin.TwinClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Conformance with the official Azure IoT service SDK for Java 2.1.8 over HTTPS, with the emulator's service
 * connection string: registry, twin, query and direct-method calls, against devices played by a plain Paho client.
 * <p>
 * The SDK always connects to port 443 of the connection string's host and needs a dot in it, so this emulator
 * serves HTTPS on 443 as {@code 127.0.0.1}. Binding 443 needs root or {@code CAP_NET_BIND_SERVICE}: without it the
 * class is skipped, unless {@code IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true} (as in CI), which makes it fail instead.
 * The SDK has no option for an SSL context: it uses {@link HttpsURLConnection}'s default socket factory, which this
 * class points at the emulator's trust for its duration.
 */
class OfficialServiceSdkTests {

    private static final int SDK_HTTPS_PORT = 443;

    private static final AtomicInteger ids = new AtomicInteger();

    private static IotHubEmulator hub;

    private static String unavailable;

    private static SSLSocketFactory defaultSocketFactory;

    @BeforeAll
    static void startHub() {
        try {
            hub = IotHubEmulator.builder().hubName("127.0.0.1").webSocketPort(-1).serviceHttpsPort(SDK_HTTPS_PORT)
                .start();
        }
        catch (IllegalStateException ex) {
            if (Boolean.parseBoolean(System.getenv("IOTHUB_TESTS_REQUIRE_ENVIRONMENT"))) {
                throw ex;
            }
            unavailable = "The official service SDK needs port " + SDK_HTTPS_PORT + ", which this process cannot "
                    + "bind (" + ex.getMessage() + "); IOTHUB_TESTS_REQUIRE_ENVIRONMENT=true fails instead";
            return;
        }
        defaultSocketFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(hub.clientSslContext().getSocketFactory());
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            HttpsURLConnection.setDefaultSSLSocketFactory(defaultSocketFactory);
            hub.close();
        }
    }

    @BeforeEach
    void requireHub() {
        Assumptions.assumeTrue(unavailable == null, unavailable);
    }

    private static String newId() {
        return "sdk-" + ids.incrementAndGet();
    }

    @Test
    void whenTheRegistryClientAddsGetsListsAndRemovesDevicesAndModulesThenTheHubFollows() throws Exception {
        RegistryClient registry = new RegistryClient(hub.serviceConnectionString());
        String deviceId = newId();
        Device added = registry.addDevice(new Device(deviceId));
        assertThat(added.getDeviceId()).isEqualTo(deviceId);
        assertThat(added.getPrimaryKey()).isEqualTo(hub.device(deviceId).primaryKey());
        assertThat(registry.getDevice(deviceId).getETag()).isNotBlank();

        Module module = registry.addModule(new Module(deviceId, "sensor"));
        assertThat(module.getPrimaryKey()).isEqualTo(hub.device(deviceId + "/sensor").primaryKey());
        assertThat(registry.getModule(deviceId, "sensor").getId()).isEqualTo("sensor");
        List<Module> modules = registry.getModulesOnDevice(deviceId);
        assertThat(modules).extracting(Module::getId).containsExactly("sensor");

        registry.removeModule(deviceId, "sensor");
        registry.removeDevice(deviceId);
        assertThat(hub.devices()).noneMatch((identity) -> identity.deviceId().equals(deviceId));
        assertThatExceptionOfType(IotHubNotFoundException.class).isThrownBy(() -> registry.getDevice(deviceId));
    }

    @Test
    void whenTheKeyIsWrongThenTheSdkReportsUnauthorized() {
        String wrong = hub.serviceConnectionString().replaceAll("SharedAccessKey=.*",
                "SharedAccessKey=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        RegistryClient registry = new RegistryClient(wrong);
        assertThatExceptionOfType(IotHubUnauthorizedException.class).isThrownBy(() -> registry.getDevice("x"));
    }

    @Test
    void whenTheTwinClientPatchesDesiredPropertiesThenTheConnectedDeviceReceivesThem() throws Exception {
        String deviceId = newId();
        hub.registerDevice(deviceId);
        TwinClient twins = new TwinClient(hub.serviceConnectionString());
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("$iothub/twin/PATCH/properties/desired/#", 1);
            Twin twin = twins.get(deviceId);
            assertThat(twin.getDeviceId()).isEqualTo(deviceId);
            twin.getDesiredProperties().put("color", "red");
            Twin patched = twins.patch(twin);
            assertThat(patched.getDesiredProperties().get("color")).isEqualTo("red");
            PahoDevice.Received received = device.next();
            assertThat(new String(received.message().getPayload(), StandardCharsets.UTF_8)).contains("\"color\":\"red\"");
        }
        assertThat(twins.get(deviceId).getDesiredProperties().get("color")).isEqualTo("red");
    }

    @Test
    void whenTheDirectMethodsClientInvokesAMethodThenTheDeviceAnswersIt() throws Exception {
        String deviceId = newId();
        hub.registerDevice(deviceId);
        DirectMethodsClient methods = new DirectMethodsClient(hub.serviceConnectionString());
        try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
            device.subscribe("$iothub/methods/POST/#", 1);
            CompletableFuture<DirectMethodResponse> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return methods.invoke(deviceId, "reboot", DirectMethodRequestOptions.builder()
                        .payload(Map.of("delay", 1))
                        .methodResponseTimeoutSeconds(10)
                        .build());
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            PahoDevice.Received request = device.next();
            assertThat(request.topic()).startsWith("$iothub/methods/POST/reboot/");
            assertThat(new String(request.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"delay\":1}");
            String rid = request.topic().substring(request.topic().indexOf("$rid=") + "$rid=".length());
            device.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"done\":true}", 0, false);
            DirectMethodResponse response = answer.get(10, TimeUnit.SECONDS);
            assertThat(response.getStatus()).isEqualTo(200);
            assertThat(response.getPayloadAsJsonString()).isEqualTo("{\"done\":true}");
        }
    }

    @Test
    void whenTheQueryClientQueriesTheDevicesThenItPagesThroughTheirTwinsAndFiltersById() throws Exception {
        String prefix = newId();
        for (int i = 1; i <= 3; i++) {
            hub.registerDevice(prefix + "-" + i);
        }
        hub.registerModule(prefix + "-1", "sensor");
        QueryClient query = new QueryClient(hub.serviceConnectionString());
        QueryPageOptions pagesOfTwo = QueryPageOptions.builder().pageSize(2).build();
        TwinQueryResponse all = query.queryTwins("SELECT * FROM devices", pagesOfTwo);
        List<String> listed = new ArrayList<>();
        while (all.hasNext()) {
            listed.add(all.next(pagesOfTwo).getDeviceId());
        }
        assertThat(listed).isEqualTo(hub.devices()
            .stream()
            .filter((identity) -> identity.moduleId() == null)
            .map(DeviceIdentity::deviceId)
            .sorted(Comparator.naturalOrder())
            .toList());
        assertThat(listed).contains(prefix + "-1", prefix + "-2", prefix + "-3").hasSizeGreaterThan(2);

        TwinQueryResponse one = query.queryTwins("SELECT * FROM devices WHERE deviceId = '" + prefix + "-2'");
        Twin twin = one.next();
        assertThat(twin.getDeviceId()).isEqualTo(prefix + "-2");
        assertThat(twin.getConnectionState()).isEqualToIgnoringCase("Disconnected");
        assertThat(one.hasNext()).isFalse();
    }
}
