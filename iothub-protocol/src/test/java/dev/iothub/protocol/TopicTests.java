package dev.iothub.protocol;

import java.util.Collections;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class TopicTests {

    @ParameterizedTest
    @ValueSource(strings = { "devices/dev1/messages/events/", "devices/dev1/messages/events",
            "devices/dev1/messages/events/$.ct=a&x=1", "devices/dev1/messages/events/%24.ct=a&x=1/" })
    void whenParsingDeviceTelemetryThenAllForms(String topic) {
        DeviceTopic parsed = DeviceTopic.parse(topic).orElseThrow();
        assertThat(parsed).isInstanceOf(DeviceTopic.Telemetry.class);
        DeviceTopic.Telemetry telemetry = (DeviceTopic.Telemetry) parsed;
        assertThat(telemetry.deviceId()).isEqualTo("dev1");
        assertThat(telemetry.moduleId()).isNull();
        if (topic.contains("ct")) {
            assertThat(telemetry.properties()).containsExactly(entry("$.ct", "a"), entry("x", "1"));
        }
    }

    @Test
    void whenParsingModuleTelemetryWithTrailingSlashThenModuleIsKnown() {
        DeviceTopic.Telemetry telemetry = (DeviceTopic.Telemetry) DeviceTopic
                .parse("devices/dev1/modules/mod1/messages/events/$.cdid=dev1&$.cmid=mod1/").orElseThrow();
        assertThat(telemetry.moduleId()).isEqualTo("mod1");
        assertThat(telemetry.properties()).containsEntry("$.cmid", "mod1");
    }

    @ParameterizedTest
    @ValueSource(strings = { "devices/dev1/messages/eventsX", "devices/dev1/other/messages/events/",
            "devices//messages/events/", "foo/bar", "$iothub/twin/GET/", "$iothub/methods/res/abc/?$rid=1" })
    void whenTheTopicIsNotAcceptedThenNothingIsParsed(String topic) {
        assertThat(DeviceTopic.parse(topic)).isEmpty();
    }

    @Test
    void whenParsingTwinRequestsThenRidAndVersionAreRead() {
        assertThat(DeviceTopic.parse("$iothub/twin/GET/?$rid=42")).contains(new DeviceTopic.TwinGet("42"));
        assertThat(DeviceTopic.parse("$iothub/twin/PATCH/properties/reported/?$rid=a&$version=7"))
                .contains(new DeviceTopic.ReportedPatch("a", 7L));
        assertThat(DeviceTopic.parse("$iothub/twin/PATCH/properties/reported/?$rid=a"))
                .contains(new DeviceTopic.ReportedPatch("a", null));
        assertThat(DeviceTopic.parse("$iothub/methods/res/200/?$rid=9"))
                .contains(new DeviceTopic.MethodResponse(200, "9"));
    }

    @Test
    void whenBuildingThenParsingHubTopicsThenTheyRoundTrip() {
        assertThat(HubTopic.parse(Topics.twinResponse(204, "r 1", 3L)))
                .contains(new HubTopic.TwinResponse(204, "r 1", 3L));
        assertThat(HubTopic.parse(Topics.twinResponse(200, "r", null)))
                .contains(new HubTopic.TwinResponse(200, "r", null));
        assertThat(HubTopic.parse(Topics.desiredPatch(5))).contains(new HubTopic.DesiredPatch(5));
        assertThat(HubTopic.parse(Topics.methodRequest("reboot", "1")))
                .contains(new HubTopic.MethodRequest("reboot", "1"));
        HubTopic.CloudToDevice c2d = (HubTopic.CloudToDevice) HubTopic
                .parse(Topics.cloudToDevice("dev1", null, Map.of("$.mid", "m1"))).orElseThrow();
        assertThat(c2d.properties()).containsExactly(entry("$.mid", "m1"));
    }

    @Test
    void whenParsingACapturedCloudToDeviceTopicThenSystemAndNullPropertiesAreKept() {
        HubTopic.CloudToDevice c2d = (HubTopic.CloudToDevice) HubTopic.parse("devices/dev1/messages/devicebound/"
                + "%24.mid=mid-123&%24.to=%2Fdevices%2Fdev1%2Fmessages%2FdeviceBound&iothub-ack=full&flag&empty=")
                .orElseThrow();
        assertThat(c2d.properties()).containsEntry("$.mid", "mid-123")
                .containsEntry("$.to", "/devices/dev1/messages/deviceBound").containsEntry("flag", null)
                .containsEntry("empty", "");
    }

    @Test
    void whenACloudToDeviceTopicNamesTheIdentityThenItIsParsed() {
        assertThat(HubTopic.parse("devices/dev1/messages/devicebound/%24.mid=1&k=v", "dev1", null))
            .isEqualTo(new HubTopic.CloudToDevice(Map.of("$.mid", "1", "k", "v")));
        assertThat(HubTopic.parse("devices/dev1/messages/devicebound/", "dev1", null))
            .isEqualTo(new HubTopic.CloudToDevice(Map.of()));
        assertThat(HubTopic.parse("devices/dev1/messages/devicebound/?flag", "dev1", null))
            .isEqualTo(new HubTopic.CloudToDevice(Collections.singletonMap("flag", null)));
        assertThat(HubTopic.parse("devices/dev1/modules/m1/messages/devicebound/k=v", "dev1", "m1"))
            .isEqualTo(new HubTopic.CloudToDevice(Map.of("k", "v")));
    }

    @ParameterizedTest
    @CsvSource({ "devices/other/messages/devicebound/k=v, dev1, ''", "devices/dev10/messages/devicebound/, dev1, ''",
            "devices/dev1/modules/m1/messages/devicebound/, dev1, ''", "devices/dev1/messages/devicebound/, dev1, m1",
            "devices/dev1/modules/m2/messages/devicebound/, dev1, m1" })
    void whenACloudToDeviceTopicNamesAnotherIdentityThenItIsInvalid(String topic, String deviceId, String moduleId) {
        assertThat(HubTopic.parse(topic, deviceId, moduleId.isEmpty() ? null : moduleId)).isEqualTo(
                new HubTopic.Invalid(HubTopic.Kind.CLOUD_TO_DEVICE, "addressed to another identity", null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "devices/dev1/messages/devicebound/%24.mid=1&note=100% | CLOUD_TO_DEVICE",
            "devices/dev1/messages/devicebound/%ZZ | CLOUD_TO_DEVICE",
            "$iothub/methods/POST/ping/?$rid=%ZZ | METHOD_REQUEST",
            "$iothub/twin/res/200/?$rid=% | TWIN_RESPONSE",
            "$iothub/twin/PATCH/properties/desired/?$version=%2 | DESIRED_PATCH" })
    void whenATopicHoldsAMalformedEscapeThenItIsInvalidWithoutThrowing(String topic, HubTopic.Kind kind) {
        assertThat(HubTopic.parse(topic, "dev1", null))
            .isEqualTo(new HubTopic.Invalid(kind, "malformed percent-encoding", null));
        assertThat(HubTopic.parse(topic)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "$iothub/methods/POST/get/Max/?$rid=7 | METHOD_REQUEST | unexpected topic shape | 7",
            "$iothub/methods/POST/get?$rid=8 | METHOD_REQUEST | unexpected topic shape | 8",
            "$iothub/methods/POST//?$rid=9 | METHOD_REQUEST | unexpected topic shape | 9",
            "$iothub/methods/POST/ping/ | METHOD_REQUEST | no $rid | null",
            "$iothub/methods/POST/ping/?$rid= | METHOD_REQUEST | no $rid | null",
            "$iothub/twin/res/abc/?$rid=1 | TWIN_RESPONSE | status is not a three-digit number | 1",
            "$iothub/twin/res/2000/?$rid=1 | TWIN_RESPONSE | status is not a three-digit number | 1",
            "$iothub/twin/res/200/?$rid=1&$version=x | TWIN_RESPONSE | $version is not a number | 1",
            "$iothub/twin/res/200/x/?$rid=1 | TWIN_RESPONSE | unexpected topic shape | 1",
            "$iothub/twin/res/200/ | TWIN_RESPONSE | no $rid | null",
            "$iothub/twin/PATCH/properties/desired/ | DESIRED_PATCH | no $version | null",
            "$iothub/twin/PATCH/properties/desired/?$version=9e18 | DESIRED_PATCH | $version is not a number | null",
            "$iothub/twin/PATCH/properties/desired/?$version=-1 | DESIRED_PATCH | $version is not a number | null",
            "$iothub/twin/PATCH/properties/desired/?$version=99999999999999999999 | DESIRED_PATCH "
                    + "| $version is not a number | null",
            "$iothub/twin/PATCH/properties/desired/extra/?$version=3 | DESIRED_PATCH | unexpected topic shape | null",
            "devices/dev1/messages/deviceboundX | CLOUD_TO_DEVICE | unexpected topic shape | null",
            "devices/dev1/messages/events/ | UNKNOWN | not a topic IoT Hub publishes to devices | null",
            "$iothub/methods/res/200/?$rid=1 | UNKNOWN | not a topic IoT Hub publishes to devices | null" })
    void whenATopicHasTheWrongShapeThenItIsInvalidWithTheRequestIdWhenReadable(String topic, HubTopic.Kind kind,
            String reason, String requestId) {
        assertThat(HubTopic.parse(topic, "dev1", null)).isEqualTo(new HubTopic.Invalid(kind, reason, requestId));
    }

    @Test
    void whenTopicsHaveTheDocumentedShapeThenTheyAreParsed() {
        assertThat(HubTopic.parse("$iothub/methods/POST/component*reboot/?$rid=one", "dev1", null))
            .isEqualTo(new HubTopic.MethodRequest("component*reboot", "one"));
        assertThat(HubTopic.parse("$iothub/twin/res/204/?$rid=r%201&$version=9", "dev1", null))
            .isEqualTo(new HubTopic.TwinResponse(204, "r 1", 9L));
        assertThat(HubTopic.parse("$iothub/twin/PATCH/properties/desired/?$version=9223372036854775807", "dev1", null))
            .isEqualTo(new HubTopic.DesiredPatch(Long.MAX_VALUE));
    }

    @Test
    void whenParsingWithoutIdentityThenAnyWellFormedIdentityIsAccepted() {
        assertThat(HubTopic.parse("devices/other/messages/devicebound/k=v"))
            .contains(new HubTopic.CloudToDevice(Map.of("k", "v")));
        assertThat(HubTopic.parse("devices/other/modules/m/messages/devicebound/"))
            .contains(new HubTopic.CloudToDevice(Map.of()));
        assertThat(HubTopic.parse("devices/a/b/messages/devicebound/")).isEmpty();
        assertThat(HubTopic.parse("$iothub/methods/POST/get/Max/?$rid=1")).isEmpty();
    }

    @Test
    void whenADeviceTopicHoldsAMalformedEscapeThenNothingIsParsed() {
        assertThat(DeviceTopic.parse("devices/dev1/messages/events/k=100%")).isEmpty();
        assertThat(DeviceTopic.parse("$iothub/twin/GET/?$rid=%ZZ")).isEmpty();
        assertThat(DeviceTopic.parse("$iothub/methods/res/200/?$rid=%")).isEmpty();
    }

    @Test
    void whenBuildingDeviceTopicsThenTheyMatchTheProtocol() {
        assertThat(Topics.telemetry("dev1", null, Map.of())).isEqualTo("devices/dev1/messages/events/");
        assertThat(Topics.telemetry("dev1", "mod1", Map.of("$.mid", "m 1"))).isEqualTo(
                "devices/dev1/modules/mod1/messages/events/%24.mid=m%201");
        assertThat(Topics.telemetry("dev1", "mod1", "m 1", Map.of())).isEqualTo(
                "devices/dev1/modules/mod1/messages/events/%24.mid=m%201");
        assertThat(Topics.telemetry("dev1", null, "m1", Map.of("$.cid", "c&1"))).isEqualTo(
                "devices/dev1/messages/events/%24.mid=m1&%24.cid=c%261");
        assertThat(Topics.cloudToDeviceFilter("dev1", "mod1")).isEqualTo("devices/dev1/modules/mod1/messages/devicebound/#");
        assertThat(Topics.twinGet("1")).isEqualTo("$iothub/twin/GET/?$rid=1");
        assertThat(Topics.reportedPatch("1", 2L)).isEqualTo("$iothub/twin/PATCH/properties/reported/?$rid=1&$version=2");
        assertThat(Topics.methodResponse(500, "x")).isEqualTo("$iothub/methods/res/500/?$rid=x");
    }

    @Test
    void whenClassifyingFiltersThenOnlyDocumentedOnesAndAliasesAreAccepted() {
        assertThat(SubscriptionFilter.classify("devices/dev1/messages/devicebound/#", "dev1", null))
                .contains(SubscriptionFilter.CLOUD_TO_DEVICE);
        assertThat(SubscriptionFilter.classify("devices/+/messages/devicebound/#", "dev1", null))
                .contains(SubscriptionFilter.CLOUD_TO_DEVICE);
        assertThat(SubscriptionFilter.classify("#", "dev1", null)).contains(SubscriptionFilter.CLOUD_TO_DEVICE);
        assertThat(SubscriptionFilter.classify("devices/dev1/modules/m/#", "dev1", "m"))
                .contains(SubscriptionFilter.CLOUD_TO_DEVICE);
        assertThat(SubscriptionFilter.classify("$iothub/methods/POST/#", "dev1", null))
                .contains(SubscriptionFilter.METHODS);
        assertThat(SubscriptionFilter.classify("$iothub/twin/res/#", "dev1", null))
                .contains(SubscriptionFilter.TWIN_RESPONSES);
        assertThat(SubscriptionFilter.classify("$iothub/twin/PATCH/properties/desired/#", "dev1", null))
                .contains(SubscriptionFilter.DESIRED_PROPERTIES);
        assertThat(SubscriptionFilter.classify("devices/dev2/messages/devicebound/#", "dev1", null)).isEmpty();
        assertThat(SubscriptionFilter.classify("devices/dev1/messages/events/#", "dev1", null)).isEmpty();
        assertThat(SubscriptionFilter.classify("$iothub/methods/POST/reboot", "dev1", null)).isEmpty();
    }
}
