package dev.iothub.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.iothub.protocol.SasToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service API's guards: service SAS authentication (required on HTTPS and where configured), the {@code Host}
 * check against DNS rebinding, the refusal of cross-origin state changes and of JSON sent without a JSON type.
 */
class ServiceApiSecurityTests {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static IotHubEmulator hub;

    private static HttpClient https;

    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().mqttPort(0).webSocketPort(-1).start();
        https = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(hub.clientSslContext())
            .build();
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    static String policyKey(IotHubEmulator emulator) {
        String connectionString = emulator.serviceConnectionString();
        return connectionString.substring(connectionString.indexOf("SharedAccessKey=") + "SharedAccessKey=".length());
    }

    static String serviceToken(String hubName, String key, Instant expiry) {
        return SasToken.create(hubName, key, expiry).text() + "&skn=" + IotHubEmulator.SERVICE_POLICY;
    }

    private static HttpResponse<String> httpsGet(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.serviceHttpsUri().resolve(path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return https.send(request.build(), BodyHandlers.ofString());
    }

    @Nested
    class Authentication {

        @Test
        void whenTheServiceConnectionStringIsFormattedThenItNamesTheHubAndTheOwnerPolicy() {
            assertThat(hub.serviceConnectionString())
                .startsWith("HostName=localhost;SharedAccessKeyName=iothubowner;SharedAccessKey=");
        }

        @Test
        void whenHttpsCarriesAValidTokenThenTheRequestIsServed() throws Exception {
            HttpResponse<String> response = httpsGet("/devices",
                    serviceToken("localhost", policyKey(hub), Instant.now().plusSeconds(60)));
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Test
        void whenHttpsCarriesNoTokenThenItIs401InIotHubsShape() throws Exception {
            HttpResponse<String> response = httpsGet("/devices", null);
            assertThat(response.statusCode()).isEqualTo(401);
            JsonNode body = json.readTree(response.body());
            assertThat(body.path("Message").asString()).isEqualTo("ErrorCode:IotHubUnauthorizedAccess;Unauthorized");
            assertThat(body.path("ExceptionMessage").asString()).startsWith("Tracking ID:");
        }

        @Test
        void whenTheTokenIsSignedWithAnotherKeyThenItIs401() throws Exception {
            String wrongKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
            assertThat(httpsGet("/devices", serviceToken("localhost", wrongKey, Instant.now().plusSeconds(60)))
                .statusCode()).isEqualTo(401);
        }

        @Test
        void whenTheTokenExpiredThenItIs401() throws Exception {
            assertThat(httpsGet("/devices", serviceToken("localhost", policyKey(hub), Instant.now().minusSeconds(1)))
                .statusCode()).isEqualTo(401);
        }

        @Test
        void whenTheTokenIsScopedToAnotherHubThenItIs401() throws Exception {
            assertThat(httpsGet("/devices", serviceToken("other.example", policyKey(hub),
                    Instant.now().plusSeconds(60))).statusCode()).isEqualTo(401);
        }

        @Test
        void whenPlainHttpOnLoopbackHasNoTokenThenItIsServedButAWrongTokenIsNot() throws Exception {
            URI devices = hub.serviceUri().resolve("/devices");
            assertThat(http.send(HttpRequest.newBuilder(devices).build(), BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(devices)
                .header("Authorization", serviceToken("localhost", policyKey(hub), Instant.now().minusSeconds(1)))
                .build(), BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        }

        @Test
        void whenPlainHttpRequiresAuthenticationThenARequestWithoutTokenIs401() throws Exception {
            try (IotHubEmulator secured = IotHubEmulator.builder().webSocketPort(-1).serviceHttpsPort(-1)
                .serviceAuthenticationRequired(true)
                .servicePolicyKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
                .start()) {
                URI devices = secured.serviceUri().resolve("/devices");
                assertThat(http.send(HttpRequest.newBuilder(devices).build(), BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
                assertThat(http.send(HttpRequest.newBuilder(devices)
                    .header("Authorization", serviceToken("localhost", policyKey(secured),
                            Instant.now().plusSeconds(60)))
                    .build(), BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(http.send(HttpRequest.newBuilder(secured.serviceUri().resolve("/emulator/ca.pem")).build(),
                        BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
        }
    }

    @Nested
    class BrowserHardening {

        @Test
        void whenTheHostIsANameTheEmulatorDoesNotServeThenItIs421() throws Exception {
            assertThat(rawStatus("GET /devices HTTP/1.1\r\nHost: attacker.example:" + hub.servicePort()
                    + "\r\n\r\n")).isEqualTo(421);
        }

        @Test
        void whenTheHostIsLoopbackByNameOrAddressThenItIsServed() throws Exception {
            assertThat(rawStatus("GET /devices HTTP/1.1\r\nHost: localhost:" + hub.servicePort() + "\r\n\r\n"))
                .isEqualTo(200);
            assertThat(rawStatus("GET /devices HTTP/1.1\r\nHost: 127.0.0.1:" + hub.servicePort() + "\r\n\r\n"))
                .isEqualTo(200);
        }

        @Test
        void whenAnotherOriginSendsAStateChangeThenItIs403AndNothingChanges() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.serviceUri()
                .resolve("/devices/cross-site"))
                .header("Origin", "http://attacker.example")
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{}"))
                .build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(hub.devices()).noneMatch((device) -> device.id().equals("cross-site"));
        }

        @Test
        void whenTheEmulatorsOwnOriginSendsAStateChangeThenItIsServed() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.serviceUri()
                .resolve("/devices/same-site"))
                .header("Origin", "http://127.0.0.1:" + hub.servicePort())
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{}"))
                .build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Test
        void whenJsonComesAsTextPlainThenItIs415() throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(hub.serviceUri()
                .resolve("/devices/plain-text"))
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofString("{}"))
                .build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(hub.devices()).noneMatch((device) -> device.id().equals("plain-text"));
        }

        private static int rawStatus(String request) throws IOException {
            try (Socket socket = new Socket("127.0.0.1", hub.servicePort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] head = in.readNBytes(12);
                String statusLine = new String(head, StandardCharsets.ISO_8859_1);
                return Integer.parseInt(statusLine.substring(9, 12));
            }
        }
    }

    @Test
    void whenTheHttpsPortIsOffThenAskingForItExplainsHowToTurnItOn() {
        try (IotHubEmulator plain = IotHubEmulator.builder().webSocketPort(-1).serviceHttpsPort(-1).start()) {
            org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(plain::serviceHttpsPort)
                .withMessageContaining("serviceHttpsPort(0)");
        }
    }
}
