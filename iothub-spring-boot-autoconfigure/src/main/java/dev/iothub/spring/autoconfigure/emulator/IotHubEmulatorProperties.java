package dev.iothub.spring.autoconfigure.emulator;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the embedded IoT Hub emulator.
 */
@ConfigurationProperties("iothub.emulator")
public class IotHubEmulatorProperties {

    /**
     * Whether to run against an embedded emulator: unset means only when no connection string or host name is
     * configured, true means always (for tests), false means never.
     */
    private @Nullable Boolean enabled;

    /** Device id the application connects as; defaults to spring.application.name, else "device-1". */
    private @Nullable String deviceId;

    /** MQTT port of the embedded emulator; 0 picks a free port. */
    private int mqttPort;

    /**
     * Port of the embedded emulator's MQTT-over-WebSocket endpoint, used with iothub.transport=mqtt-ws; 0 picks a
     * free port, -1 disables it.
     */
    private int webSocketPort;

    /** Port of the embedded emulator's REST service API; 0 picks a free port, -1 disables it. */
    private int servicePort;

    public @Nullable Boolean getEnabled() {
        return this.enabled;
    }

    public void setEnabled(@Nullable Boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getDeviceId() {
        return this.deviceId;
    }

    public void setDeviceId(@Nullable String deviceId) {
        this.deviceId = deviceId;
    }

    public int getMqttPort() {
        return this.mqttPort;
    }

    public void setMqttPort(int mqttPort) {
        this.mqttPort = mqttPort;
    }

    public int getWebSocketPort() {
        return this.webSocketPort;
    }

    public void setWebSocketPort(int webSocketPort) {
        this.webSocketPort = webSocketPort;
    }

    public int getServicePort() {
        return this.servicePort;
    }

    public void setServicePort(int servicePort) {
        this.servicePort = servicePort;
    }

}
