package dev.iothub.spring.provisioning;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

import dev.iothub.protocol.SasToken;
import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HubSocketFactory;

/**
 * Everything a registration needs: where the provisioning service is, who registers, and how.
 *
 * @param idScope the ID scope of the provisioning service instance
 * @param registrationId the registration id, also the MQTT client id
 * @param host the provisioning service's host
 * @param port its port for the transport
 * @param transport MQTT over TLS or over a WebSocket
 * @param deviceKey the Base64 key that signs the SAS token (the individual key or the one derived from the group
 * key), or {@code null} for X.509, whose certificate the socket factory's TLS presents
 * @param socketFactory TLS, directly or through the HTTP proxy's tunnel
 * @param payload the registration's {@code payload} (custom data and the model id), or {@code null}
 * @param connectTimeout how long to wait for CONNACK and SUBACK
 * @param timeout how long the whole registration may take
 * @param sasTimeToLive the lifetime of the registration's SAS token
 * @author iothub-spring-boot
 * @since 0.1.0
 */
public record ProvisioningSettings(String idScope, String registrationId, String host, int port,
        IotHubTransport transport, @Nullable String deviceKey, HubSocketFactory socketFactory,
        @Nullable ObjectNode payload, Duration connectTimeout, Duration timeout, Duration sasTimeToLive) {

    /** The API version sent in the username. */
    public static final String API_VERSION = "2019-03-31";

    /** The Paho server URI: {@code tcp://host:port} or {@code ws://host:port/$iothub/websocket}. */
    public String serverUri() {
        String authority = ((this.host.indexOf(':') >= 0) ? "[" + this.host + "]" : this.host) + ":" + this.port;
        return (this.transport == IotHubTransport.MQTT) ? "tcp://" + authority
                : "ws://" + authority + IotHubTransport.WEB_SOCKET_PATH;
    }

    /** {@code {idScope}/registrations/{registrationId}/api-version=2019-03-31}. */
    public String username() {
        return resource() + "/api-version=" + API_VERSION;
    }

    /** The SAS password, {@code sr={idScope}/registrations/{registrationId}} and {@code skn=registration}. */
    public @Nullable String password(Instant now) {
        if (this.deviceKey == null) {
            return null;
        }
        return SasToken.create(resource(), this.deviceKey, now.plus(this.sasTimeToLive)).text() + "&skn=registration";
    }

    /** The endpoint as {@code host:port}, for messages. */
    public String endpoint() {
        return this.host + ":" + this.port;
    }

    private String resource() {
        return this.idScope + "/registrations/" + this.registrationId;
    }

    @Override
    public String toString() {
        return "ProvisioningSettings[idScope=" + this.idScope + ", registrationId=" + this.registrationId
                + ", endpoint=" + endpoint() + ", transport=" + this.transport.propertyValue() + ", auth="
                + ((this.deviceKey != null) ? "symmetric key" : "X.509") + "]";
    }

}
