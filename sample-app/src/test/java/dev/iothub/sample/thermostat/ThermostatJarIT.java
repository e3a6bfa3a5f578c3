package dev.iothub.sample.thermostat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's fat jar, started as users start it ({@code java -jar}), connects over MQTT over WebSocket: Paho finds
 * its WebSocket network module through {@code ServiceLoader} inside the nested jars. Runs on the build's JDK and on
 * every JDK 21 or newer found under {@code /usr/lib/jvm}.
 */
class ThermostatJarIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    static Stream<Path> javaHomes() throws IOException {
        List<Path> homes = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> candidates = Files.list(jvms)) {
                candidates.filter((home) -> !Files.isSymbolicLink(home))
                    .filter((home) -> featureVersion(home) >= 21)
                    .sorted()
                    .forEach(homes::add);
            }
        }
        return homes.stream();
    }

    @ParameterizedTest
    @MethodSource("javaHomes")
    void connectsOverWebSocketFromTheFatJar(Path javaHome, @TempDir Path logs)
            throws Exception {
        Path jar = Path.of(System.getProperty("sample.jar", "target/sample-app.jar"));
        assertThat(jar).as("the repackaged sample jar (built by the package phase)").exists();
        int servicePort = freePort();
        Path log = logs.resolve("sample.log");
        ProcessBuilder builder = new ProcessBuilder(javaHome.resolve("bin/java").toString(), "-jar",
                jar.toAbsolutePath().toString(), "--iothub.transport=mqtt-ws",
                "--iothub.emulator.service-port=" + servicePort, "--spring.main.banner-mode=off")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().remove("IOTHUB_DEVICE_CONNECTION_STRING");
        Process process = builder.start();
        try {
            await().atMost(STARTUP).ignoreExceptions().untilAsserted(() -> {
                assertThat(process.isAlive()).as("the sample is running; its log: %s", Files.readString(log)).isTrue();
                JsonNode device = get(servicePort, "/devices/thermostat");
                assertThat(device.path("connectedVia").asString("")).isEqualTo("mqtt-ws");
                assertThat(get(servicePort, "/devices/thermostat/messages/events").size()).isPositive();
            });
        }
        finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        assertThat(Files.readString(log)).doesNotContain("ERROR").doesNotContain("NoClassDefFoundError");
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = this.http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int featureVersion(Path javaHome) {
        Path release = javaHome.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(javaHome.resolve("bin/java"))) {
            return 0;
        }
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(release)) {
            properties.load(reader);
        }
        catch (IOException ex) {
            return 0;
        }
        String version = properties.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
        return Integer.parseInt(version.split("[.+-]")[0]);
    }

}
