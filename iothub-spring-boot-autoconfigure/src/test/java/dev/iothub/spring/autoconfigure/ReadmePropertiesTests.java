package dev.iothub.spring.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's property table lists exactly the properties of the configuration metadata (generated from the
 * Javadoc of the {@code @ConfigurationProperties} fields, plus the additional metadata of properties bound
 * elsewhere, such as {@code management.health.iothub.enabled}), each with the metadata's description.
 * <p>
 * Descriptions are compared whole, after normalising the markup each side uses: the README's backticks and the
 * metadata's double quotes are dropped, whitespace is collapsed, the metadata's standard "If a duration suffix is not
 * specified, seconds will be used." (said once above the table) is dropped, and so is a README row's closing
 * cross-reference, {@code See [section](#anchor).}
 */
class ReadmePropertiesTests {

    private static final Pattern ROW = Pattern.compile(
            "^\\| `((?:management\\.health\\.)?iothub\\.[a-z0-9.-]+)` \\|[^|]*\\| (.*) \\|$", Pattern.MULTILINE);

    private static final Pattern CROSS_REFERENCE = Pattern.compile(" See \\[[^]]+]\\(#[^)]+\\)\\.$");

    private static final String DURATION_UNIT = "If a duration suffix is not specified, seconds will be used.";

    @Test
    void theReadmeDocumentsEveryConfigurationPropertyWithItsDescription() throws IOException {
        JsonNode metadata = JsonMapper.builder().build()
            .readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
        Map<String, String> generated = new TreeMap<>();
        metadata.get("properties").forEach((property) -> generated.put(property.get("name").asString(),
                normalise(property.path("description").asString("").replace(DURATION_UNIT, ""))));
        // management.endpoint.iothub.* are Spring Boot's standard endpoint properties, generated from @Endpoint
        generated.keySet().removeIf((name) -> name.startsWith("management.endpoint.iothub."));
        Map<String, String> documented = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("../README.md")));
        while (row.find()) {
            documented.put(row.group(1), normalise(CROSS_REFERENCE.matcher(row.group(2)).replaceAll("")));
        }
        assertThat(generated).isNotEmpty();
        assertThat(documented.keySet()).isEqualTo(generated.keySet());
        SoftAssertions.assertSoftly((softly) -> generated.forEach((name, description) -> softly
            .assertThat(documented.get(name)).as("README description of %s", name).isEqualTo(description)));
    }

    private static String normalise(String description) {
        return description.replace("`", "").replace("\"", "").replaceAll("\\s+", " ").strip();
    }

}
