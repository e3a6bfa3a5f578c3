package dev.iothub.spring.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one rule for turning payload objects into bodies.
 */
class IotHubPayloadWriterTests {

    private final IotHubPayloadWriter writer = new IotHubPayloadWriter(JsonMapper.shared());

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void whenThePayloadIsBytesThenTheyAreSentAsTheyAreWithoutContentTypeOrEncoding() {
        byte[] bytes = { 1, 2, 3 };
        IotHubPayloadWriter.Body body = this.writer.write(bytes);
        assertThat(body.bytes()).isSameAs(bytes);
        assertThat(body.contentType()).isNull();
        assertThat(body.contentEncoding()).isNull();
    }

    @Test
    void whenThePayloadIsAStringThenItIsSentAsUtf8Text() {
        IotHubPayloadWriter.Body body = this.writer.write("{\"t\":21.5} é");
        assertThat(text(body.bytes())).isEqualTo("{\"t\":21.5} é");
        assertThat(body.contentType()).isNull();
        assertThat(body.contentEncoding()).isEqualTo("utf-8");
    }

    @Test
    void whenThePayloadIsAnObjectThenItIsSentAsJson() {
        IotHubPayloadWriter.Body body = this.writer.write(Map.of("t", 21.5));
        assertThat(text(body.bytes())).isEqualTo("{\"t\":21.5}");
        assertThat(body.contentType()).isEqualTo("application/json");
        assertThat(body.contentEncoding()).isEqualTo("utf-8");
    }

    @Test
    void whenTheBodyMustBeJsonThenAStringBecomesAJsonStringAndNullAnEmptyBody() {
        assertThat(text(this.writer.writeJson("ok"))).isEqualTo("\"ok\"");
        assertThat(text(this.writer.writeJson(Map.of("a", 1)))).isEqualTo("{\"a\":1}");
        assertThat(this.writer.writeJson(null)).isEmpty();
        byte[] json = "[1]".getBytes(StandardCharsets.UTF_8);
        assertThat(this.writer.writeJson(json)).isSameAs(json);
    }

}
