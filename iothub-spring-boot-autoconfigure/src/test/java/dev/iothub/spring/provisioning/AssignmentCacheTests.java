package dev.iothub.spring.provisioning;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HubSocketFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AssignmentCache}.
 */
class AssignmentCacheTests {

    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    private final JsonMapper json = new JsonMapper();

    @TempDir
    Path directory;

    static ProvisioningSettings settings(String idScope, String registrationId, String host) {
        return new ProvisioningSettings(idScope, registrationId, host, 8883, IotHubTransport.MQTT, KEY,
                new HubSocketFactory((SSLSocketFactory) SSLSocketFactory.getDefault(), null), null,
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1));
    }

    private AssignmentCache cache(ProvisioningSettings settings) {
        return new AssignmentCache(this.directory.resolve("dps"), settings, this.json, CLOCK);
    }

    @Test
    void whenNothingWasWrittenThenThereIsNoAssignment() {
        assertThat(cache(settings("0ne1", "dev-1", "dps.example")).read()).isEmpty();
    }

    @Test
    void whenWrittenThenReadBackWithoutAnySecretInTheFile() throws Exception {
        AssignmentCache cache = cache(settings("0ne1", "dev-1", "dps.example"));
        cache.write(new DeviceAssignment("hub-a.azure-devices.net", "dev-1"));

        assertThat(cache.read()).contains(new DeviceAssignment("hub-a.azure-devices.net", "dev-1"));
        String text = Files.readString(cache.getFile(), StandardCharsets.UTF_8);
        assertThat(text).contains("hub-a.azure-devices.net", "0ne1", "dps.example:8883")
            .doesNotContain(KEY)
            .doesNotContainIgnoringCase("key")
            .doesNotContainIgnoringCase("SharedAccessSignature");
        assertThat(Files.list(cache.getFile().getParent())).containsExactly(cache.getFile());
    }

    @Test
    void whenTheScopeOrEndpointChangedThenTheCachedAssignmentIsNotUsed() {
        cache(settings("0ne1", "dev-1", "dps.example")).write(new DeviceAssignment("hub-a", "dev-1"));

        assertThat(cache(settings("0ne2", "dev-1", "dps.example")).read()).isEmpty();
        assertThat(cache(settings("0ne1", "dev-1", "other.example")).read()).isEmpty();
        assertThat(cache(settings("0ne1", "dev-1", "dps.example")).read()).isPresent();
    }

    @Test
    void whenTheFileIsCorruptThenThereIsNoAssignment() throws Exception {
        AssignmentCache cache = cache(settings("0ne1", "dev-1", "dps.example"));
        Files.createDirectories(cache.getFile().getParent());
        Files.writeString(cache.getFile(), "{not json");

        assertThat(cache.read()).isEmpty();
    }

    @Test
    void whenClearedThenThereIsNoAssignment() {
        AssignmentCache cache = cache(settings("0ne1", "dev-1", "dps.example"));
        cache.write(new DeviceAssignment("hub-a", "dev-1"));
        cache.clear();

        assertThat(cache.read()).isEmpty();
        assertThat(cache.getFile()).doesNotExist();
    }

}
