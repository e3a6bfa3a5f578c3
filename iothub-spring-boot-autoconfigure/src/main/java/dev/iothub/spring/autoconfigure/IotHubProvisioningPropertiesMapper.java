package dev.iothub.spring.autoconfigure;

import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;

import dev.iothub.spring.connection.IotHubTransport;
import dev.iothub.spring.connection.network.HubSocketFactory;
import dev.iothub.spring.provisioning.EnrollmentGroupKey;
import dev.iothub.spring.provisioning.ProvisioningSettings;

/**
 * Maps {@link IotHubProvisioningProperties}, with the transport, proxy, SSL bundle and model id of
 * {@link IotHubProperties}, to the registration's settings, checking every value and every combination on the way.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
class IotHubProvisioningPropertiesMapper {

    private static final Pattern REGISTRATION_ID = Pattern.compile("[a-z0-9.:_-]{1,128}");

    private final IotHubProperties hub;

    private final IotHubProvisioningProperties dps;

    private final Environment environment;

    private final @Nullable SslBundle sslBundle;

    private final JsonMapper json;

    IotHubProvisioningPropertiesMapper(IotHubProperties hub, IotHubProvisioningProperties dps, Environment environment,
            @Nullable SslBundles sslBundles, JsonMapper json) {
        this.hub = hub;
        this.dps = dps;
        this.environment = environment;
        this.json = json;
        checkNoConnectionString();
        this.sslBundle = PropertiesIotHubConnectionDetails.sslBundle(hub.getSsl().getBundle(), sslBundles);
    }

    private void checkNoConnectionString() {
        String[][] hubProperties = { { "iothub.connection-string", this.hub.getConnectionString() },
                { "iothub.host-name", this.hub.getHostName() }, { "iothub.device-id", this.hub.getDeviceId() },
                { "iothub.shared-access-key", this.hub.getSharedAccessKey() } };
        for (String[] property : hubProperties) {
            if (hasText(property[1])) {
                throw new IotHubConfigurationException("iothub.dps.id-scope", property[0]
                        + " and iothub.dps.* are both set: the device would get its hub both ways",
                        "Remove " + property[0] + " to provision through the Device Provisioning Service, or remove "
                                + "the iothub.dps.* properties to connect with " + property[0] + ".");
            }
        }
    }

    /** The key that signs the SAS tokens for DPS and the hub, or {@code null} for X.509. */
    @Nullable String deviceKey(String registrationId) {
        String individual = trimmed(this.dps.getSymmetricKey());
        String group = trimmed(this.dps.getEnrollmentGroupKey());
        if (individual != null && group != null) {
            throw new IotHubConfigurationException("iothub.dps.enrollment-group-key",
                    "iothub.dps.symmetric-key and iothub.dps.enrollment-group-key are both set",
                    "Keep iothub.dps.symmetric-key for an individual enrollment, or "
                            + "iothub.dps.enrollment-group-key for an enrollment group, not both.");
        }
        if (individual != null) {
            checkBase64("iothub.dps.symmetric-key", individual);
            return individual;
        }
        if (group != null) {
            checkBase64("iothub.dps.enrollment-group-key", group);
            return EnrollmentGroupKey.deriveDeviceKey(group, registrationId);
        }
        if (this.sslBundle == null) {
            throw new IotHubConfigurationException("iothub.dps.symmetric-key",
                    "No credential for the Device Provisioning Service",
                    "Set iothub.dps.symmetric-key (an individual enrollment's key), "
                            + "iothub.dps.enrollment-group-key (a group's key), or iothub.ssl.bundle to an SSL bundle "
                            + "whose key store holds the device certificate (X.509).");
        }
        if (this.sslBundle.getStores().getKeyStore() == null) {
            throw new IotHubConfigurationException("iothub.ssl.bundle",
                    "X.509 provisioning needs a client certificate, and the bundle has no key store",
                    "Give the bundle a key store with the device certificate, or set iothub.dps.symmetric-key or "
                            + "iothub.dps.enrollment-group-key.");
        }
        return null;
    }

    String registrationId() {
        String configured = trimmed(this.dps.getRegistrationId());
        String property = "iothub.dps.registration-id";
        String id = configured;
        if (id == null) {
            id = trimmed(this.environment.getProperty("spring.application.name"));
            property = "spring.application.name";
        }
        if (id == null) {
            throw new IotHubConfigurationException("iothub.dps.registration-id", "No registration id",
                    "Set iothub.dps.registration-id (or spring.application.name) to the enrollment's registration id.");
        }
        if (!REGISTRATION_ID.matcher(id).matches()) {
            throw new IotHubConfigurationException(property, "The registration id '" + id
                    + "' is not valid: it takes at most 128 lower-case letters, digits, '-', '.', '_' and ':'",
                    "Set iothub.dps.registration-id to the enrollment's registration id.");
        }
        return id;
    }

    /** The hub's port: {@code iothub.port}, or else the transport's. */
    @Nullable Integer hubPort() {
        return this.hub.getPort();
    }

    @Nullable SslBundle sslBundle() {
        return this.sslBundle;
    }

    ProvisioningSettings settings() {
        String idScope = trimmed(this.dps.getIdScope());
        if (idScope == null) {
            throw new IotHubConfigurationException("iothub.dps.id-scope", "No ID scope",
                    "Set iothub.dps.id-scope to the ID scope on the overview page of the Device Provisioning "
                            + "Service instance (it starts with 0ne).");
        }
        if (idScope.contains("/")) {
            throw new IotHubConfigurationException("iothub.dps.id-scope", "The ID scope contains '/'",
                    "Correct iothub.dps.id-scope.");
        }
        String registrationId = registrationId();
        String key = deviceKey(registrationId);
        IotHubTransport transport = this.hub.getTransport();
        String endpoint = trimmed(this.dps.getGlobalEndpoint());
        if (endpoint == null || endpoint.contains("/") || endpoint.contains("@")) {
            throw new IotHubConfigurationException("iothub.dps.global-endpoint",
                    "The value must be a host, or host:port, not a URL",
                    "Set iothub.dps.global-endpoint to " + IotHubProvisioningProperties.DEFAULT_GLOBAL_ENDPOINT
                            + " or the service's host, optionally with ':port'.");
        }
        String host = endpoint;
        int port = transport.defaultPort();
        int colon = endpoint.lastIndexOf(':');
        if (colon > 0 && endpoint.indexOf(':') == colon) {
            host = endpoint.substring(0, colon);
            try {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            }
            catch (NumberFormatException ex) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IotHubConfigurationException("iothub.dps.global-endpoint",
                        "The port after ':' must be 1 to 65535", "Correct iothub.dps.global-endpoint.");
            }
        }
        Duration timeout = this.dps.getTimeout();
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IotHubConfigurationException("iothub.dps.timeout", "The value must be at least 1 s",
                    "Set iothub.dps.timeout to a duration with a unit, for example 60s.");
        }
        if (this.dps.getReprovisionAfterFailures() < 1) {
            throw new IotHubConfigurationException("iothub.dps.reprovision-after-failures",
                    "The value must be 1 or more",
                    "Set iothub.dps.reprovision-after-failures to a count, for example 10.");
        }
        SSLSocketFactory tls = (this.sslBundle != null) ? this.sslBundle.createSslContext().getSocketFactory()
                : (SSLSocketFactory) SSLSocketFactory.getDefault();
        return new ProvisioningSettings(idScope, registrationId, host, port, transport, key,
                new HubSocketFactory(tls, IotHubPropertiesMapper.proxy(this.hub.getProxy())), payload(),
                this.hub.getConnectTimeout(), timeout, this.hub.getSas().getTimeToLive());
    }

    private @Nullable ObjectNode payload() {
        String text = trimmed(this.dps.getPayload());
        ObjectNode payload = null;
        if (text != null) {
            JsonNode parsed;
            try {
                parsed = this.json.readTree(text);
            }
            catch (JacksonException ex) {
                parsed = null;
            }
            if (!(parsed instanceof ObjectNode object)) {
                throw new IotHubConfigurationException("iothub.dps.payload", "The value is not a JSON object",
                        "Set iothub.dps.payload to a JSON object, for example {\"site\":\"plant-7\"}.");
            }
            payload = object;
        }
        String modelId = trimmed(this.hub.getModelId());
        if (modelId != null) {
            payload = (payload != null) ? payload : this.json.createObjectNode();
            payload.put("modelId", modelId);
        }
        return payload;
    }

    private static void checkBase64(String property, String key) {
        try {
            Base64.getDecoder().decode(key);
        }
        catch (IllegalArgumentException ex) {
            throw new IotHubConfigurationException(property, "The key is not valid Base64",
                    "Copy the enrollment's primary or secondary key again; it is the Base64 text that ends with '='.");
        }
    }

    private static @Nullable String trimmed(@Nullable String value) {
        return (value != null && !value.isBlank()) ? value.trim() : null;
    }

    private static boolean hasText(@Nullable String value) {
        return value != null && !value.isBlank();
    }

}
