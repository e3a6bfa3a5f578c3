package dev.iothub.protocol;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    void whenBuildingDeviceTopicsThenTheyMatchTheProtocol() {
        assertThat(Topics.telemetry("dev1", null, Map.of())).isEqualTo("devices/dev1/messages/events/");
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
