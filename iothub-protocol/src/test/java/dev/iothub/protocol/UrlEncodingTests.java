package dev.iothub.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UrlEncodingTests {

    @Test
    void whenEncodingThenTheResultIsTheSdkFormEncodingWithSpacesAsPercent20() {
        assertThat(UrlEncoding.encode("a b+c/d?e=f&g%h~i'j")).isEqualTo("a%20b%2Bc%2Fd%3Fe%3Df%26g%25h%7Ei%27j");
        assertThat(UrlEncoding.encode("température ✓ 😀")).isEqualTo("temp%C3%A9rature%20%E2%9C%93%20%F0%9F%98%80");
        assertThat(UrlEncoding.encode("$.mid")).isEqualTo("%24.mid");
        assertThat(UrlEncoding.encode("")).isEmpty();
    }

    @Test
    void whenTextNeedsNoEscapeThenItIsReturnedAsIs() {
        String id = "3f0a6c2e-7b1d-4e5f-9a8b-0c1d2e3f4a5b";
        assertThat(UrlEncoding.encode(id)).isSameAs(id);
        assertThat(UrlEncoding.encode("AZaz09-_.*")).isEqualTo("AZaz09-_.*");
    }

    @Test
    void whenEncodingAnyTextThenItMatchesUrlEncoderIncludingUnpairedSurrogates() {
        Random random = new Random(16);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                text.append(switch (random.nextInt(4)) {
                    case 0 -> (char) (' ' + random.nextInt(95));
                    case 1 -> (char) random.nextInt(0x800);
                    case 2 -> (char) (0xD800 + random.nextInt(0x800));
                    default -> (char) random.nextInt(0x10000);
                });
            }
            String expected = URLEncoder.encode(text.toString(), StandardCharsets.UTF_8).replace("+", "%20");
            assertThat(UrlEncoding.encode(text.toString())).as("%s", text).isEqualTo(expected);
            StringBuilder appended = new StringBuilder("x=");
            UrlEncoding.encode(text.toString(), appended);
            assertThat(appended.toString()).as("appended %s", text).isEqualTo("x=" + expected);
        }
    }

}
