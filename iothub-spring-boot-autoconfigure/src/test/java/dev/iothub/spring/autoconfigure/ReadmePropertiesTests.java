package dev.iothub.spring.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's property table lists exactly the properties of the configuration metadata (generated, plus the
 * additional metadata of properties bound elsewhere, such as {@code management.health.iothub.enabled}).
 */
class ReadmePropertiesTests {

    private static final Pattern ROW = Pattern.compile("^\\| `((?:management\\.health\\.)?iothub\\.[a-z0-9.-]+)` \\|",
            Pattern.MULTILINE);

    @Test
    void theReadmeDocumentsEveryConfigurationProperty() throws IOException {
        JsonNode metadata = JsonMapper.builder().build()
            .readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
        Set<String> generated = new TreeSet<>();
        // management.endpoint.iothub.* are Spring Boot's standard endpoint properties, generated from @Endpoint
        metadata.get("properties")
            .forEach((property) -> generated.add(property.get("name").asString()));
        generated.removeIf((name) -> name.startsWith("management.endpoint.iothub."));
        Set<String> documented = new TreeSet<>();
        Matcher matcher = ROW.matcher(Files.readString(Path.of("../README.md")));
        while (matcher.find()) {
            documented.add(matcher.group(1));
        }
        assertThat(generated).isNotEmpty();
        assertThat(documented).isEqualTo(generated);
    }

}
