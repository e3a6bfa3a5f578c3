package dev.iothub.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MqttUsernameTests {

    @Test
    void whenFormattingThenTheDocumentedFormIsProduced() {
        assertThat(MqttUsername.format("h.azure-devices.net", "dev1", null, null))
                .isEqualTo("h.azure-devices.net/dev1/?api-version=2021-04-12");
        assertThat(MqttUsername.format("h", "dev1", "mod1", "dtmi:com:example:Thermostat;1"))
                .isEqualTo("h/dev1/mod1/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1");
        assertThat(MqttUsername.format("h", "dev1", null, " ", "my-app/1.0 (x)"))
                .isEqualTo("h/dev1/?api-version=2021-04-12&DeviceClientType=my-app%2F1.0%20%28x%29");
    }

    @Test
    void whenParsingTheJavaSdkCaptureThenModelIdIsDecodedAndExtrasKept() {
        MqttUsername username = MqttUsername.parse("127.0.0.1/dev1/?api-version=2020-09-30"
                + "&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1"
                + "&DeviceClientType=com.microsoft.azure.sdk.iot.iot-device-client%2F2.5.0%20%2817.0.15%29")
                .orElseThrow();
        assertThat(username.hostName()).isEqualTo("127.0.0.1");
        assertThat(username.deviceId()).isEqualTo("dev1");
        assertThat(username.moduleId()).isNull();
        assertThat(username.modelId()).isEqualTo("dtmi:com:example:Thermostat;1");
        assertThat(username.parameters()).containsKey("DeviceClientType");
    }

    @Test
    void whenParsingModuleAndOldFormsThenIdentityIsFound() {
        MqttUsername module = MqttUsername.parse("127.0.0.1/dev1/mod1/?api-version=2020-09-30").orElseThrow();
        assertThat(module.moduleId()).isEqualTo("mod1");
        MqttUsername old = MqttUsername.parse("h/dev1/api-version=2016-11-14&DeviceClientType=x").orElseThrow();
        assertThat(old.deviceId()).isEqualTo("dev1");
        assertThat(old.moduleId()).isNull();
        assertThat(old.parameters()).containsEntry("api-version", "2016-11-14");
        assertThat(MqttUsername.parse("h/dev1/").orElseThrow().deviceId()).isEqualTo("dev1");
    }

    @Test
    void whenDerivingTheClientIdThenModulesAreJoinedWithASlash() {
        assertThat(MqttUsername.clientId("dev1", null)).isEqualTo("dev1");
        assertThat(MqttUsername.clientId("dev1", "mod1")).isEqualTo("dev1/mod1");
        assertThat(MqttUsername.parse("h/dev1/mod1/?api-version=1").orElseThrow().clientId()).isEqualTo("dev1/mod1");
    }

    @Test
    void whenThereIsNoDeviceThenNothingIsParsed() {
        assertThat(MqttUsername.parse("h")).isEmpty();
        assertThat(MqttUsername.parse("h//?api-version=1")).isEmpty();
        assertThat(MqttUsername.parse(null)).isEmpty();
        assertThat(MqttUsername.parse("h/a/b/c/")).isEmpty();
    }
}
