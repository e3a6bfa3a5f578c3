package dev.iothub.emulator;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import dev.iothub.emulator.ServiceApiClient.Answer;
import dev.iothub.protocol.HubTopic;
import dev.iothub.protocol.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The service REST API over real HTTP, against devices played by a plain Paho client.
 */
class RestApiTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final AtomicInteger ids = new AtomicInteger();

    private static final JsonMapper json = JsonMapper.builder().build();

    /** More than the 64 threads the JDK server's pool had: each of them used to hold one. */
    private static final int STALLED_CLIENTS = 70;

    private static final Duration SHORT = Duration.ofMillis(500);

    private static final String GET_DEVICES = "GET /devices HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private static IotHubEmulator hub;

    private static ServiceApiClient api;

    @BeforeAll
    static void startHub() {
        hub = IotHubEmulator.builder().start();
        api = new ServiceApiClient(hub, "2021-04-12");
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    private static String newDeviceId() {
        String deviceId = "rest-device-" + ids.incrementAndGet();
        hub.registerDevice(deviceId);
        return deviceId;
    }

    @Nested
    class Devices {

        @Test
        void whenCreatedWithAKeyThenTheDeviceJsonCarriesItAndAConnectionString() throws Exception {
            String deviceId = "created-" + ids.incrementAndGet();
            Answer created = api.send("PUT", "/devices/" + deviceId,
                    "{\"authentication\":{\"symmetricKey\":{\"primaryKey\":\"" + KEY + "\"}}}");
            assertThat(created.status()).isEqualTo(200);
            assertThat(created.body().get("deviceId").asString()).isEqualTo(deviceId);
            assertThat(created.body().at("/authentication/symmetricKey/primaryKey").asString()).isEqualTo(KEY);
            assertThat(created.body().at("/authentication/symmetricKey/secondaryKey").asString()).isNotBlank();
            assertThat(created.body().get("connectionState").asString()).isEqualTo("Disconnected");
            assertThat(created.body().get("connectedVia").isNull()).isTrue();
            assertThat(created.body().get("connectionString").asString()).isEqualTo(hub.connectionString(deviceId));
            assertThat(hub.device(deviceId).primaryKey()).isEqualTo(KEY);
        }

        @Test
        void whenCreatedWithoutABodyThenKeysAreGenerated() throws Exception {
            String deviceId = "generated-" + ids.incrementAndGet();
            Answer created = api.send("PUT", "/devices/" + deviceId, null);
            assertThat(created.status()).isEqualTo(200);
            assertThat(created.body().at("/authentication/symmetricKey/primaryKey").asString())
                .isEqualTo(hub.device(deviceId).primaryKey());
        }

        @Test
        void whenCreatedTwiceThen409001() throws Exception {
            String deviceId = newDeviceId();
            Answer again = api.send("PUT", "/devices/" + deviceId, "{}");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.errorCode()).isEqualTo(409001);
        }

        @Test
        void whenListedThenEveryDeviceIsThere() throws Exception {
            String deviceId = newDeviceId();
            Answer list = api.get("/devices");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.body().isArray()).isTrue();
            assertThat(list.body().findValuesAsString("deviceId")).contains(deviceId);
        }

        @ParameterizedTest
        @EnumSource(DeviceEndpoint.class)
        void whenADeviceConnectsThenItsConnectionStateIsConnectedAndTheViewNamesTheEndpoint(DeviceEndpoint endpoint)
                throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId, endpoint).connect()) {
                JsonNode view = api.get("/devices/" + deviceId).body();
                assertThat(view.get("connectionState").asString()).isEqualTo("Connected");
                assertThat(view.get("connectedVia").asString()).isEqualTo(endpoint.wireName());
                JsonNode listed = StreamSupport.stream(api.get("/devices").body().spliterator(), false)
                    .filter((node) -> node.get("deviceId").asString().equals(deviceId))
                    .findFirst()
                    .orElseThrow();
                assertThat(listed.get("connectedVia").asString()).isEqualTo(endpoint.wireName());
                device.client().disconnect();
                await().atMost(Duration.ofSeconds(10)).until(() -> !hub.isConnected(deviceId));
                assertThat(api.get("/devices/" + deviceId).body().get("connectedVia").isNull()).isTrue();
            }
        }

        @Test
        void whenDeletedThenItIsGoneAndItsConnectionIsClosed() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                Answer deleted = api.send("DELETE", "/devices/" + deviceId, null);
                assertThat(deleted.status()).isEqualTo(204);
                await().atMost(Duration.ofSeconds(10)).until(() -> !device.isConnected());
                Answer read = api.get("/devices/" + deviceId);
                assertThat(read.status()).isEqualTo(404);
                assertThat(read.errorCode()).isEqualTo(404001);
            }
        }

        @Test
        void whenTheDeviceIsUnknownThen404001() throws Exception {
            assertThat(api.get("/devices/nobody").errorCode()).isEqualTo(404001);
            assertThat(api.get("/twins/nobody").errorCode()).isEqualTo(404001);
            assertThat(api.send("POST", "/twins/nobody/methods", "{\"methodName\":\"m\"}").errorCode())
                .isEqualTo(404001);
            assertThat(api.get("/devices/nobody/messages/events").status()).isEqualTo(404);
        }

        @Test
        void whenTheBodyIsMalformedThen400004() throws Exception {
            Answer answer = api.send("PUT", "/devices/" + "malformed-" + ids.incrementAndGet(), "{not json");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.errorCode()).isEqualTo(400004);
        }

        @Test
        void whenTheDeviceIdIsPercentEncodedThenItIsDecoded() throws Exception {
            Answer created = api.send("PUT", "/devices/with%40at-" + ids.incrementAndGet(), null);
            assertThat(created.status()).isEqualTo(200);
            assertThat(created.body().get("deviceId").asString()).startsWith("with@at-");
        }

        @Test
        void whenTheDeviceIdBreaksIotHubsRulesThen400004() throws Exception {
            for (String bad : new String[] { "cr%0D%0Alf", "nul%00", "hash%23", "plus%2B", "x".repeat(129) }) {
                Answer answer = api.send("PUT", "/devices/" + bad, null);
                assertThat(answer.status()).as(bad).isEqualTo(400);
                assertThat(answer.errorCode()).as(bad).isEqualTo(400004);
            }
        }
    }

    @Nested
    class Modules {

        @Test
        void whenAModuleIsCreatedThenItIsListedUnderItsDeviceAndHasATwin() throws Exception {
            String deviceId = newDeviceId();
            Answer created = api.send("PUT", "/devices/" + deviceId + "/modules/sensor", "{\"moduleId\":\"sensor\"}");
            assertThat(created.status()).isEqualTo(200);
            assertThat(created.body().get("moduleId").asString()).isEqualTo("sensor");
            assertThat(created.body().get("connectionString").asString()).contains("ModuleId=sensor");
            assertThat(api.get("/devices/" + deviceId + "/modules").body().findValuesAsString("moduleId"))
                .containsExactly("sensor");
            assertThat(api.get("/devices").body().findValuesAsString("moduleId")).doesNotContain("sensor");
            Answer patched = api.send("PATCH", "/twins/" + deviceId + "/modules/sensor",
                    "{\"properties\":{\"desired\":{\"rate\":2}}}");
            assertThat(patched.body().get("moduleId").asString()).isEqualTo("sensor");
            assertThat(hub.twin(deviceId + "/sensor").desired()).containsEntry("rate", 2);
            assertThat(api.send("POST", "/twins/" + deviceId + "/modules/sensor/methods", "{\"methodName\":\"m\"}")
                .errorCode()).isEqualTo(404103);
        }

        @Test
        void whenTheDeviceIsDeletedThenItsModulesGoToo() throws Exception {
            String deviceId = newDeviceId();
            hub.registerModule(deviceId, "sensor");
            assertThat(api.send("DELETE", "/devices/" + deviceId, null).status()).isEqualTo(204);
            assertThat(api.get("/devices/" + deviceId + "/modules/sensor").errorCode()).isEqualTo(404001);
        }

        @Test
        void whenTheDeviceIsUnknownOrTheIdHidesASlashThen404001() throws Exception {
            assertThat(api.send("PUT", "/devices/nobody/modules/m", null).errorCode()).isEqualTo(404001);
            String deviceId = newDeviceId();
            hub.registerModule(deviceId, "sensor");
            assertThat(api.get("/devices/" + deviceId + "%2Fsensor").errorCode()).isEqualTo(404001);
        }
    }

    @Nested
    class Routing {

        @Test
        void whenThePathIsUnknownThen404() throws Exception {
            Answer answer = api.get("/nothing/here");
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo(404000);
        }

        @Test
        void whenTheMethodIsWrongThen405WithAllow() throws Exception {
            Answer answer = api.send("POST", "/devices/x", "{}");
            assertThat(answer.status()).isEqualTo(405);
            assertThat(answer.response().headers().firstValue("Allow")).hasValue("DELETE, GET, PUT");
        }

        @Test
        void whenServingThenNoRestThreadKeepsTheJvmAlive() throws Exception {
            assertThat(api.get("/devices").status()).isEqualTo(200);
            assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn((thread) -> thread.getName().startsWith("iothub-emulator-rest"))
                .isNotEmpty()
                .allMatch(Thread::isDaemon);
        }

        @Test
        void whenTheRestApiIsDisabledThenItHasNoPort() {
            try (IotHubEmulator noRest = IotHubEmulator.builder().servicePort(-1).start()) {
                assertThatIllegalStateException().isThrownBy(noRest::servicePort);
            }
        }

        @Test
        void whenTheEmulatorClosesThenItsRestThreadsHaveStopped() throws Exception {
            Set<Thread> before = restThreads();
            Set<Thread> started;
            try (IotHubEmulator own = IotHubEmulator.builder().start(); Socket socket = new Socket("127.0.0.1",
                    own.servicePort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(GET_DEVICES.getBytes(StandardCharsets.US_ASCII));
                assertThat(RawResponse.read(socket).status()).isEqualTo(200);
                started = restThreads();
                started.removeAll(before);
                assertThat(started).isNotEmpty();
            }
            assertThat(started).noneMatch(Thread::isAlive);
        }

        @Test
        void whenTheFacadeIsCompiledThenItDoesNotReferToTheRestPackage() throws Exception {
            for (Class<?> type : new Class<?>[] { IotHubEmulator.class, IotHubEmulator.Builder.class,
                    ServiceEndpoint.class, ServiceEndpoint.Factory.class, ServiceEndpoint.Settings.class }) {
                String resource = type.getName().substring(type.getPackageName().length() + 1) + ".class";
                try (InputStream in = type.getResourceAsStream(resource)) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).as(resource)
                        .doesNotContain("dev/iothub/emulator/rest/");
                }
            }
        }

        private static Set<Thread> restThreads() {
            return Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter((thread) -> thread.getName().startsWith("iothub-emulator-rest"))
                .collect(Collectors.toCollection(HashSet::new));
        }
    }

    @Nested
    class SlowAndLargeRequests {

        @Test
        void whenManyClientsStallInTheMiddleOfRequestsThenAnotherIsAnsweredAtOnce() throws Exception {
            List<Socket> stalled = stall(hub, STALLED_CLIENTS);
            try {
                HttpRequest list = api.request("/devices").timeout(Duration.ofSeconds(5)).GET().build();
                assertThat(api.send(list).status()).isEqualTo(200);
            }
            finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }

        @Test
        void whenTheBodyIsOverTheLimitThenTheAnswerIs413WithTheErrorBodyAndTheConnectionCloses() throws Exception {
            String deviceId = newDeviceId();
            for (String expect : new String[] { "", "Expect: 100-continue\r\n" }) {
                try (Socket socket = new Socket("127.0.0.1", hub.servicePort())) {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(("POST /devices/" + deviceId + "/messages/deviceBound HTTP/1.1\r\n"
                            + "Host: localhost\r\n" + expect + "Content-Length: 1048577\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                    RawResponse answer = RawResponse.read(socket);
                    assertThat(answer.status()).as(expect).isEqualTo(413);
                    assertThat(answer.headers()).as(expect).containsEntry("connection", "close");
                    assertThat(json.readTree(answer.body())).as(expect).isEqualTo(json.readTree(
                            "{\"errorCode\":413000,\"message\":\"The request body is over 1048576 bytes\"}"));
                    assertThat(socket.getInputStream().read()).as(expect).isEqualTo(-1);
                }
            }
            assertThat(hub.pendingCloudToDevice(deviceId)).isZero();
        }

        @Test
        void whenTheDeclaredBodyIsOverTheLimitThen413BeforeItIsSent() throws Exception {
            String deviceId = newDeviceId();
            try (Socket socket = new Socket("127.0.0.1", hub.servicePort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /devices/" + deviceId + "/messages/deviceBound HTTP/1.1\r\n"
                        + "Host: localhost\r\nContent-Length: 52428800\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(statusLine(socket)).startsWith("HTTP/1.1 413");
            }
            assertThat(hub.pendingCloudToDevice(deviceId)).isZero();
        }

        @Test
        void whenAChunkedBodyPassesTheLimitThen413WithoutReadingTheRest() throws Exception {
            String deviceId = newDeviceId();
            try (Socket socket = new Socket("127.0.0.1", hub.servicePort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /devices/" + deviceId + "/messages/deviceBound HTTP/1.1\r\nHost: localhost\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 17; i++) {
                    out.write(chunk);
                }
                assertThat(statusLine(socket)).startsWith("HTTP/1.1 413");
            }
            assertThat(hub.pendingCloudToDevice(deviceId)).isZero();
        }

        private static String statusLine(Socket socket) throws Exception {
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        }
    }

    @Nested
    class Deadlines {

        private final HttpClient ownClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        private IotHubEmulator quick;

        @BeforeEach
        void startQuickHub() {
            this.quick = IotHubEmulator.builder()
                .serviceRequestTimeout(SHORT)
                .serviceIdleTimeout(SHORT)
                .start();
        }

        @AfterEach
        void stopQuickHub() {
            this.quick.close();
        }

        @Test
        void whenClientsStallInTheMiddleOfRequestsThenEachConnectionIsClosedAfterTheRequestTimeout()
                throws Exception {
            List<Socket> stalled = stall(this.quick, STALLED_CLIENTS);
            try {
                for (Socket socket : stalled) {
                    socket.setSoTimeout(10_000);
                    assertThat(socket.getInputStream().read()).isEqualTo(-1);
                }
            }
            finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }

        @Test
        void whenAnAnswerTakesLongerThanTheRequestTimeoutThenTheClientStillGetsIt() throws Exception {
            String deviceId = "patient";
            this.quick.registerDevice(deviceId);
            try (PahoDevice device = new PahoDevice(this.quick, deviceId).connect()) {
                device.subscribe(Topics.METHODS_FILTER, 1);
                CompletableFuture<HttpResponse<String>> call = this.ownClient.sendAsync(HttpRequest
                    .newBuilder(URI.create(this.quick.serviceUri() + "/twins/" + deviceId + "/methods"))
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"methodName\":\"slow\",\"responseTimeoutInSeconds\":30}"))
                    .build(), BodyHandlers.ofString());
                PahoDevice.Received request = device.next();
                try (Socket later = stall(this.quick, 1).get(0)) {
                    later.setSoTimeout(10_000);
                    assertThat(later.getInputStream().read()).as("a whole request timeout has passed").isEqualTo(-1);
                }
                HubTopic.MethodRequest parsed = (HubTopic.MethodRequest) HubTopic.parse(request.topic()).orElseThrow();
                device.publish(Topics.methodResponse(200, parsed.requestId()), "{\"done\":true}", 1, false);
                Answer answer = Answer.of(call.get(30, java.util.concurrent.TimeUnit.SECONDS));
                assertThat(answer.body()).isEqualTo(json.readTree("{\"status\":200,\"payload\":{\"done\":true}}"));
            }
        }

        @Test
        void whenAKeptAliveConnectionStaysSilentThenItIsClosedAfterTheIdleTimeout() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", this.quick.servicePort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(GET_DEVICES.getBytes(StandardCharsets.US_ASCII));
                RawResponse answer = RawResponse.read(socket);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.headers()).doesNotContainKey("connection");
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    /**
     * Opens connections that each send part of a request and stop: half a request line, headers without the blank
     * line that ends them, or part of a body.
     */
    private static List<Socket> stall(IotHubEmulator target, int clients) throws Exception {
        String[] parts = { "POST /devices/stalled/messages/deviceBou",
                "POST /devices/stalled/messages/deviceBound HTTP/1.1\r\nHost: localhost\r\n",
                "POST /devices/stalled/messages/deviceBound HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n"
                        + "\r\n{" };
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Socket socket = new Socket("127.0.0.1", target.servicePort());
            stalled.add(socket);
            socket.getOutputStream().write(parts[i % parts.length].getBytes(StandardCharsets.US_ASCII));
        }
        return stalled;
    }

    /** An HTTP answer read off a socket: status, headers with lower-case names, and a body of Content-Length bytes. */
    record RawResponse(int status, Map<String, String> headers, String body) {

        static RawResponse read(Socket socket) throws IOException {
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            return new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
                    new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int next = in.read(); next != '\n'; next = in.read()) {
                if (next < 0) {
                    throw new EOFException("The connection closed in the middle of an answer");
                }
                if (next != '\r') {
                    line.append((char) next);
                }
            }
            return line.toString();
        }
    }

    @Nested
    class Twins {

        @Test
        void whenReadThenTheTwinHasIotHubsShape() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.TWIN_RESPONSES_FILTER, 1);
                device.publish(Topics.reportedPatch("1", null), "{\"temp\":21}", 1, false);
                device.next();
            }
            Answer twin = api.get("/twins/" + deviceId);
            assertThat(twin.status()).isEqualTo(200);
            assertThat(twin.body().get("deviceId").asString()).isEqualTo(deviceId);
            assertThat(twin.body().get("properties")).isEqualTo(json.readTree(
                    "{\"desired\":{\"$version\":1},\"reported\":{\"temp\":21,\"$version\":2}}"));
        }

        @Test
        void whenDesiredIsPatchedThenTheDeviceIsNotifiedAndTheTwinReturned() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.DESIRED_PROPERTIES_FILTER, 1);
                Answer patched = api.send("PATCH", "/twins/" + deviceId,
                        "{\"properties\":{\"desired\":{\"color\":\"red\",\"limits\":{\"max\":5}}}}");
                assertThat(patched.status()).isEqualTo(200);
                assertThat(patched.body().at("/properties/desired")).isEqualTo(
                        json.readTree("{\"color\":\"red\",\"limits\":{\"max\":5},\"$version\":2}"));
                PahoDevice.Received notification = device.next();
                assertThat(notification.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
                assertThat(json.readTree(notification.body()).get("color").asString()).isEqualTo("red");
            }
        }

        @Test
        void whenThePatchBreaksTheSizeOrDepthLimitThen400AndTheTwinStaysReadable() throws Exception {
            String deviceId = newDeviceId();
            String big = "{\"properties\":{\"desired\":{\"big\":\"" + "x".repeat(33 * 1024) + "\"}}}";
            String deep = "{\"properties\":{\"desired\":" + "{\"l\":".repeat(498) + "1" + "}".repeat(498) + "}}";
            String elevenDeep = "{\"properties\":{\"desired\":" + "{\"l\":".repeat(12) + "1" + "}".repeat(12) + "}}";
            for (String patch : new String[] { big, deep, elevenDeep }) {
                Answer answer = api.send("PATCH", "/twins/" + deviceId, patch);
                assertThat(answer.status()).isEqualTo(400);
                assertThat(answer.errorCode()).isEqualTo(400004);
            }
            Answer twin = api.get("/twins/" + deviceId);
            assertThat(twin.status()).isEqualTo(200);
            assertThat(twin.body().at("/properties/desired/$version").asInt()).isEqualTo(1);
        }

        @Test
        void whenThePatchHasNoDesiredObjectThen400004() throws Exception {
            String deviceId = newDeviceId();
            assertThat(api.send("PATCH", "/twins/" + deviceId, "{\"properties\":{\"desired\":3}}").errorCode())
                .isEqualTo(400004);
            assertThat(api.send("PATCH", "/twins/" + deviceId, "{\"properties\":{\"desired\":{\"$x\":1}}}").status())
                .isEqualTo(400);
        }
    }

    @Nested
    class Query {

        @Test
        void whenTwinsAreQueriedThenTheMatchesComeSortedByIdAPageAtATimeWithAContinuationToken() throws Exception {
            String group = "query-" + ids.incrementAndGet();
            List<String> members = new ArrayList<>();
            for (int rank = 1; rank <= 3; rank++) {
                String deviceId = newDeviceId();
                hub.patchDesired(deviceId, Map.of("group", group, "rank", (rank == 2) ? 1 : 2));
                if (rank != 2) {
                    members.add(deviceId);
                }
            }
            newDeviceId();
            String query = "{\"query\":\"select * from devices where properties.desired.group = '" + group
                    + "' AND properties.desired.rank = 2.0\"}";
            Answer first = api.send(api.request("/devices/query").POST(BodyPublishers.ofString(query))
                .header("Content-Type", "application/json")
                .header("x-ms-max-item-count", "1")
                .build());
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().size()).isEqualTo(1);
            assertThat(first.body().get(0).get("deviceId").asString()).isEqualTo(members.get(0));
            String continuation = first.response().headers().firstValue("x-ms-continuation").orElseThrow();
            Answer second = api.send(api.request("/devices/query").POST(BodyPublishers.ofString(query))
                .header("Content-Type", "application/json")
                .header("x-ms-max-item-count", "1")
                .header("x-ms-continuation", continuation)
                .build());
            assertThat(second.body().size()).isEqualTo(1);
            assertThat(second.body().get(0).get("deviceId").asString()).isEqualTo(members.get(1));
            assertThat(second.body().get(0).at("/properties/desired/group").asString()).isEqualTo(group);
            assertThat(second.response().headers().firstValue("x-ms-continuation")).isEmpty();
        }

        @Test
        void whenTheQueryIsBeyondTheEmulatorsSubsetThen400004() throws Exception {
            for (String query : new String[] { "SELECT deviceId FROM devices", "SELECT * FROM devices.modules",
                    "SELECT * FROM devices WHERE deviceId = 'a' OR deviceId = 'b'", "SELECT * FROM devices WHERE" }) {
                Answer answer = api.send("POST", "/devices/query", json.writeValueAsString(Map.of("query", query)));
                assertThat(answer.status()).as(query).isEqualTo(400);
                assertThat(answer.errorCode()).isEqualTo(400004);
            }
        }
    }

    @Nested
    class DirectMethods {

        @Test
        void whenTheDeviceAnswersThenStatusAndPayloadAreReturned() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.METHODS_FILTER, 1);
                CompletableFuture<Answer> call = api.sendAsync(
                        api.request("/twins/" + deviceId + "/methods").header("Content-Type", "application/json")
                            .POST(BodyPublishers.ofString("{\"methodName\":\"reboot\",\"payload\":{\"delay\":5},"
                                    + "\"responseTimeoutInSeconds\":10,\"connectTimeoutInSeconds\":0}"))
                            .build());
                PahoDevice.Received request = device.next();
                HubTopic.MethodRequest parsed = (HubTopic.MethodRequest) HubTopic.parse(request.topic()).orElseThrow();
                assertThat(parsed.methodName()).isEqualTo("reboot");
                assertThat(json.readTree(request.body())).isEqualTo(json.readTree("{\"delay\":5}"));
                device.publish(Topics.methodResponse(201, parsed.requestId()), "{\"ok\":true}", 1, false);
                Answer answer = call.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo(json.readTree("{\"status\":201,\"payload\":{\"ok\":true}}"));
            }
        }

        @Test
        void whenTheDeviceIsOfflineThen404103() throws Exception {
            Answer answer = api.send("POST", "/twins/" + newDeviceId() + "/methods", "{\"methodName\":\"reboot\"}");
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo(404103);
        }

        @Test
        void whenTheDeviceDoesNotAnswerThen504101() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.METHODS_FILTER, 1);
                Answer answer = api.send("POST", "/twins/" + deviceId + "/methods",
                        "{\"methodName\":\"slow\",\"responseTimeoutInSeconds\":5}");
                assertThat(answer.status()).isEqualTo(504);
                assertThat(answer.errorCode()).isEqualTo(504101);
            }
        }

        @Test
        void whenTheRequestIsInvalidThen400004() throws Exception {
            String deviceId = newDeviceId();
            String path = "/twins/" + deviceId + "/methods";
            assertThat(api.send("POST", path, "{\"payload\":1}").errorCode()).isEqualTo(400004);
            assertThat(api.send("POST", path, "{\"methodName\":\"m\",\"responseTimeoutInSeconds\":1}").errorCode())
                .isEqualTo(400004);
            assertThat(api.send("POST", path, "{\"methodName\":\"m\",\"responseTimeoutInSeconds\":\"x\"}").status())
                .isEqualTo(400);
            assertThat(api.send("POST", path, "[1]").status()).isEqualTo(400);
            assertThat(api.send("POST", path, "{\"methodName\":\"x/?$rid=999&\"}").errorCode()).isEqualTo(400004);
        }
    }

    @Nested
    class Messages {

        @Test
        void whenADeviceSendsTelemetryThenTheEventsListIt() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.publish("devices/" + deviceId + "/messages/events/$.mid=m1&$.ct=application%2Fjson&unit=C",
                        "{\"t\":21}", 1, false);
                device.client().publish("devices/" + deviceId + "/messages/events/", new byte[] { (byte) 0xff, 1 },
                        1, false);
                await().atMost(Duration.ofSeconds(10)).until(() -> api.get(eventsPath(deviceId)).body().size() == 2);
            }
            JsonNode events = api.get(eventsPath(deviceId)).body();
            JsonNode first = events.get(0);
            assertThat(first.get("deviceId").asString()).isEqualTo(deviceId);
            assertThat(first.get("body").asString()).isEqualTo("{\"t\":21}");
            assertThat(first.at("/properties/unit").asString()).isEqualTo("C");
            assertThat(first.at("/systemProperties/message-id").asString()).isEqualTo("m1");
            assertThat(first.at("/systemProperties/content-type").asString()).isEqualTo("application/json");
            assertThat(first.get("enqueuedTime").asString()).isNotBlank();
            JsonNode second = events.get(1);
            assertThat(second.has("body")).isFalse();
            assertThat(Base64.getDecoder().decode(second.get("bodyBase64").asString()))
                .containsExactly((byte) 0xff, 1);
        }

        private static String eventsPath(String deviceId) {
            return "/devices/" + deviceId + "/messages/events";
        }

        @Test
        void whenACloudToDeviceMessageIsPostedThenTheDeviceReceivesItWithItsProperties() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                Answer sent = api.send(api.request("/devices/" + deviceId + "/messages/deviceBound")
                    .header("iothub-messageid", "mid-7")
                    .header("iothub-correlationid", "cid-3")
                    .header("Content-Type", "application/json")
                    .header("Content-Encoding", "utf-8")
                    .header("iothub-app-priority", "high")
                    .POST(BodyPublishers.ofString("{\"cmd\":\"open\"}"))
                    .build());
                assertThat(sent.status()).isEqualTo(204);
                assertThat(sent.response().headers().firstValue("iothub-messageid")).hasValue("mid-7");
                PahoDevice.Received delivered = device.next();
                assertThat(delivered.body()).isEqualTo("{\"cmd\":\"open\"}");
                assertThat(delivered.topic()).startsWith("devices/" + deviceId + "/messages/devicebound/")
                    .contains("%24.mid=mid-7", "%24.cid=cid-3", "%24.ct=application%2Fjson", "%24.ce=utf-8",
                            "priority=high");
            }
        }

        @Test
        void whenAnApplicationPropertyHeaderHasCapitalsThenThePropertyNameIsInLowerCase() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                device.subscribe(Topics.cloudToDeviceFilter(deviceId, null), 1);
                assertThat(api.send(api.request("/devices/" + deviceId + "/messages/deviceBound")
                    .header("IoTHub-App-Priority", "high")
                    .POST(BodyPublishers.ofString("{}"))
                    .build()).status()).isEqualTo(204);
                assertThat(device.next().topic()).contains("priority=high").doesNotContain("Priority");
            }
        }

        @Test
        void whenTheQueueIsFullThen403004() throws Exception {
            String deviceId = newDeviceId();
            String path = "/devices/" + deviceId + "/messages/deviceBound";
            for (int i = 0; i < 50; i++) {
                assertThat(api.send("POST", path, "{\"n\":" + i + "}").status()).isEqualTo(204);
            }
            Answer full = api.send("POST", path, "{}");
            assertThat(full.status()).isEqualTo(403);
            assertThat(full.errorCode()).isEqualTo(403004);
            assertThat(api.get("/devices/" + deviceId).body().get("cloudToDeviceMessageCount").asInt()).isEqualTo(50);
        }

        @Test
        void whenDisconnectIsPostedThenTheDeviceLosesItsConnection() throws Exception {
            String deviceId = newDeviceId();
            try (PahoDevice device = new PahoDevice(hub, deviceId).connect()) {
                assertThat(api.send("POST", "/devices/" + deviceId + "/disconnect", null).status()).isEqualTo(204);
                await().atMost(Duration.ofSeconds(10)).until(() -> !device.isConnected());
                assertThat(hub.isConnected(deviceId)).isFalse();
            }
        }
    }
    @Nested
    class Emulator {

        @Test
        void whenTheCaIsAskedForThenItIsThePemDevicesMustTrust() throws Exception {
            HttpResponse<String> response = api.get("/emulator/ca.pem").response();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-pem-file");
            assertThat(response.body()).isEqualTo(hub.caCertificatePem());
        }
    }
}
