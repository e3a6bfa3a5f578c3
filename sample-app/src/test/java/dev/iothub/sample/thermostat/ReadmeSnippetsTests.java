package dev.iothub.sample.thermostat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README honest: every Java block marked {@code <!-- snippet: path#tag -->} must be exactly the tagged
 * region of that source file, so the README shows code that compiles and runs in the sample app. A block marked
 * {@code path#imports+tag} is several regions, one after the other with a blank line between (the imports, then the
 * code).
 */
class ReadmeSnippetsTests {

    private static final Path ROOT = Path.of("..");

    private static final Pattern SNIPPET = Pattern
        .compile("<!-- snippet: (?<file>[^#]+)#(?<tags>[\\w+-]+) -->\\R```java\\R(?<code>.*?)\\R```", Pattern.DOTALL);

    @Test
    void everyMarkedReadmeSnippetIsTheTaggedSourceRegion() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher matcher = SNIPPET.matcher(readme);
        int snippets = 0;
        while (matcher.find()) {
            snippets++;
            Path file = ROOT.resolve(matcher.group("file"));
            List<String> regions = new ArrayList<>();
            for (String tag : matcher.group("tags").split("\\+")) {
                regions.add(region(file, tag));
            }
            assertThat(matcher.group("code")).as("README snippet %s#%s", matcher.group("file"), matcher.group("tags"))
                .isEqualTo(String.join("\n\n", regions));
        }
        assertThat(snippets).isGreaterThanOrEqualTo(6);
    }

    private static String region(Path file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = indexOf(lines, "// tag::" + tag + "[]", file);
        int end = indexOf(lines, "// end::" + tag + "[]", file);
        List<String> body = new ArrayList<>(lines.subList(start + 1, end));
        int indent = body.stream().filter((line) -> !line.isBlank())
            .mapToInt((line) -> line.length() - line.stripLeading().length()).min().orElse(0);
        return String.join("\n", body.stream().map((line) -> line.isBlank() ? "" : line.substring(indent)).toList());
    }

    private static int indexOf(List<String> lines, String marker, Path file) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("No " + marker + " in " + file);
    }

}
