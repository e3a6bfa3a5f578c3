package dev.iothub.emulator;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

import dev.iothub.emulator.dps.ProvisioningService;
import dev.iothub.emulator.transport.TlsIdentity;

/**
 * A self-signed X.509 device certificate with its private key, for testing devices that authenticate with a client
 * certificate: register it with {@link IotHubEmulator#registerX509Device(String, X509Certificate)} and connect with
 * {@code x509=true}, presenting it in the TLS handshake (for example through
 * {@link IotHubEmulator#clientSslContext(DeviceCertificate)}).
 *
 * @param certificate the certificate, subject {@code CN=<device id>}
 * @param privateKey its private key (EC P-256)
 */
public record DeviceCertificate(X509Certificate certificate, PrivateKey privateKey) {

    /** Generates a certificate and key for a device. */
    public static DeviceCertificate generate(String deviceId) {
        TlsIdentity.SelfSigned generated = TlsIdentity.selfSigned("CN=" + deviceId, null);
        return new DeviceCertificate(generated.certificate(), generated.keyPair().getPrivate());
    }

    /** The certificate's SHA-256 thumbprint in upper-case hexadecimal digits, as IoT Hub registers it. */
    public String thumbprint() {
        return ProvisioningService.thumbprint(this.certificate).toUpperCase(Locale.ROOT);
    }

    /** The certificate in PEM form. */
    public String certificatePem() {
        try {
            return TlsIdentity.pem("CERTIFICATE", this.certificate.getEncoded());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot encode the certificate", ex);
        }
    }

    /** The private key in PKCS#8 PEM form. */
    public String privateKeyPem() {
        return TlsIdentity.pem("PRIVATE KEY", this.privateKey.getEncoded());
    }

    /** Key managers presenting this certificate in a TLS handshake. */
    KeyManager[] keyManagers() {
        try {
            char[] password = new char[0];
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("device", this.privateKey, password, new Certificate[] { this.certificate });
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            return keyManagers.getKeyManagers();
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("Cannot load the device certificate", ex);
        }
    }

    @Override
    public String toString() {
        return "DeviceCertificate[" + this.certificate.getSubjectX500Principal() + "]";
    }

}
