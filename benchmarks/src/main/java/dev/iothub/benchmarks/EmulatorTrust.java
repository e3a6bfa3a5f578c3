package dev.iothub.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Client trust in a broker's certificate (the emulator's or Mosquitto's), for JVMs that get it as a PEM file.
 */
public final class EmulatorTrust {

    private EmulatorTrust() {
    }

    /** An SSL context that trusts exactly the certificate in the PEM file. */
    public static SSLContext fromPem(Path pem) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(pem).getTrustManagers(), null);
        return context;
    }

    /** Trust managers that trust exactly the certificate in the PEM file. */
    public static TrustManagerFactory trustManagers(Path pem) throws IOException, GeneralSecurityException {
        Certificate certificate;
        try (InputStream in = Files.newInputStream(pem)) {
            certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("iothub-emulator", certificate);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trustStore);
        return trust;
    }
}
