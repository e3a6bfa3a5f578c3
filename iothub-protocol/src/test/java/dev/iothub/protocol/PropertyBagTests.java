package dev.iothub.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class PropertyBagTests {

    @Test
    void whenDecodingThenBareKeysAreNullAndEmptyValuesAreEmpty() {
        Map<String, String> bag = PropertyBag.decode("prop1&prop2=&prop3=a%20string");
        assertThat(bag).containsExactly(entry("prop1", null), entry("prop2", ""), entry("prop3", "a string"));
    }

    @Test
    void whenDecodingThenDollarAndPercent24KeysAreTheSame() {
        assertThat(PropertyBag.decode("%24.mid=1&$.cid=2")).containsExactly(entry("$.mid", "1"), entry("$.cid", "2"));
    }

    @Test
    void whenDecodingTheJavaSdkCaptureThenSpacesAndUtf8Survive() {
        Map<String, String> bag = PropertyBag.decode("$.mid=my%20id%2F1&$.ct=application%2Fjson"
                + "&my%20prop=a%20b%26c%3Dd%2F%C3%A9%2B%25&%24weird=x");
        assertThat(bag).containsExactly(entry("$.mid", "my id/1"), entry("$.ct", "application/json"),
                entry("my prop", "a b&c=d/é+%"), entry("$weird", "x"));
    }

    @Test
    void whenEncodingThenTheSdkEncodingIsUsedAndNullsBecomeBareKeys() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("$.mid", "id 1");
        properties.put("app prop", "a b&c=é");
        properties.put("flag", null);
        properties.put("empty", "");
        assertThat(PropertyBag.encode(properties))
                .isEqualTo("%24.mid=id%201&app%20prop=a%20b%26c%3D%C3%A9&flag&empty=");
    }

    @Test
    void whenRoundTrippingThenPropertiesAreUnchanged() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("key", "value+with plus");
        properties.put("ünï", "☃");
        properties.put("nothing", null);
        assertThat(PropertyBag.decode(PropertyBag.encode(properties))).isEqualTo(properties);
    }

    @Test
    void whenEmptyThenNothingIsDecoded() {
        assertThat(PropertyBag.decode("")).isEmpty();
        assertThat(PropertyBag.decode(null)).isEmpty();
        assertThat(PropertyBag.encode(Map.of())).isEmpty();
    }
}
