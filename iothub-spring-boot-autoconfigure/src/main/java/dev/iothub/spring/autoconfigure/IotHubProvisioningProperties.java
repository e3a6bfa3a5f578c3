package dev.iothub.spring.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for zero-touch provisioning through the Azure IoT Hub Device Provisioning Service (DPS).
 * With an ID scope and no connection string, the application registers itself and connects to the hub DPS assigns.
 * The transport ({@code iothub.transport}), proxy ({@code iothub.proxy.*}), TLS and X.509 client certificate
 * ({@code iothub.ssl.bundle}) and model id ({@code iothub.model-id}) are those of the hub connection.
 *
 * @author iothub-spring-boot
 * @since 0.1.0
 */
@ConfigurationProperties("iothub.dps")
public class IotHubProvisioningProperties {

    /** The default global endpoint of the Device Provisioning Service. */
    public static final String DEFAULT_GLOBAL_ENDPOINT = "global.azure-devices-provisioning.net";

    /**
     * ID scope of the Device Provisioning Service instance, for example "0ne00000000"; setting it turns
     * provisioning on.
     */
    private @Nullable String idScope;

    /**
     * Registration id of the device; defaults to spring.application.name. For X.509 it must equal the certificate's
     * common name.
     */
    private @Nullable String registrationId;

    /**
     * Host of the provisioning service, optionally with a port ("host:port"); without a port, the transport's
     * port is used (8883 for mqtt, 443 for mqtt-ws).
     */
    private String globalEndpoint = DEFAULT_GLOBAL_ENDPOINT;

    /**
     * Base64 symmetric key of an individual enrollment; the hub connection uses the same key.
     */
    private @Nullable String symmetricKey;

    /**
     * Base64 symmetric key of an enrollment group; the device key, Base64(HMAC-SHA256(group key, registration
     * id)), is derived from it and used for DPS and the hub. The group key itself is never sent.
     */
    private @Nullable String enrollmentGroupKey;

    /**
     * Custom allocation payload sent with the registration, a JSON object; iothub.model-id is added to it as
     * "modelId".
     */
    private @Nullable String payload;

    /**
     * Directory of the cached assignment (hub and device id, no secrets), so that a restart connects straight to
     * the hub; use a directory that survives restarts.
     */
    private Path cacheDirectory = Path.of(System.getProperty("java.io.tmpdir"), "iothub-dps");

    /**
     * How long one registration may take in total, connect and polling included; the application's start waits at
     * most this long on first boot.
     */
    private Duration timeout = Duration.ofSeconds(60);

    /**
     * Consecutive failed connection attempts to the hub after which the device registers again; it also registers
     * again as soon as the hub refuses its credentials.
     */
    private int reprovisionAfterFailures = 10;

    public @Nullable String getIdScope() {
        return this.idScope;
    }

    public void setIdScope(@Nullable String idScope) {
        this.idScope = idScope;
    }

    public @Nullable String getRegistrationId() {
        return this.registrationId;
    }

    public void setRegistrationId(@Nullable String registrationId) {
        this.registrationId = registrationId;
    }

    public String getGlobalEndpoint() {
        return this.globalEndpoint;
    }

    public void setGlobalEndpoint(String globalEndpoint) {
        this.globalEndpoint = globalEndpoint;
    }

    public @Nullable String getSymmetricKey() {
        return this.symmetricKey;
    }

    public void setSymmetricKey(@Nullable String symmetricKey) {
        this.symmetricKey = symmetricKey;
    }

    public @Nullable String getEnrollmentGroupKey() {
        return this.enrollmentGroupKey;
    }

    public void setEnrollmentGroupKey(@Nullable String enrollmentGroupKey) {
        this.enrollmentGroupKey = enrollmentGroupKey;
    }

    public @Nullable String getPayload() {
        return this.payload;
    }

    public void setPayload(@Nullable String payload) {
        this.payload = payload;
    }

    public Path getCacheDirectory() {
        return this.cacheDirectory;
    }

    public void setCacheDirectory(Path cacheDirectory) {
        this.cacheDirectory = cacheDirectory;
    }

    public Duration getTimeout() {
        return this.timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public int getReprovisionAfterFailures() {
        return this.reprovisionAfterFailures;
    }

    public void setReprovisionAfterFailures(int reprovisionAfterFailures) {
        this.reprovisionAfterFailures = reprovisionAfterFailures;
    }

}
