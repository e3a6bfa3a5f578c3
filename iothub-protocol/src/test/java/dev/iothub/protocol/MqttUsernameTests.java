package dev.iothub.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MqttUsernameTests {

    @Test
    void whenDeviceThenHostDeviceAndApiVersion() {
        assertThat(MqttUsername.format("h.azure-devices.net", "dev1", null, null, null))
                .isEqualTo("h.azure-devices.net/dev1/?api-version=2021-04-12");
    }

    @Test
    void whenModuleWithModelIdAndClientTypeThenAllAreEncodedInOrder() {
        assertThat(MqttUsername.format("h", "dev1", "mod1", "dtmi:com:example:Thermostat;1", "iothub-spring-boot/0.1"))
                .isEqualTo("h/dev1/mod1/?api-version=2021-04-12&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1"
                        + "&DeviceClientType=iothub-spring-boot%2F0.1");
    }
}
