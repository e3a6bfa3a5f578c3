package dev.iothub.emulator.transport;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * The emulator's TLS identity: a server key and certificate, plus the trust material clients need.
 */
public final class TlsIdentity {

    private static final char[] PASSWORD = "iothub-emulator".toCharArray();

    private static final String ALIAS = "iothub-emulator";

    private static final String[] DEVICE_PROTOCOLS = { "TLSv1.3", "TLSv1.2" };

    private final KeyStore keyStore;

    private final char[] keyPassword;

    private final X509Certificate certificate;

    private TlsIdentity(KeyStore keyStore, char[] keyPassword, X509Certificate certificate) {
        this.keyStore = keyStore;
        this.keyPassword = keyPassword;
        this.certificate = certificate;
    }

    /**
     * Generates a self-signed EC P-256 certificate valid for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and
     * the given extra host names or IP addresses.
     */
    public static TlsIdentity generate(List<String> extraNames) {
        try {
            SelfSigned generated = selfSigned("CN=IoT Hub Emulator", extraNames);
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(ALIAS, generated.keyPair().getPrivate(), PASSWORD,
                    new Certificate[] { generated.certificate() });
            return new TlsIdentity(keyStore, PASSWORD, generated.certificate());
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("Cannot generate the emulator's TLS certificate", ex);
        }
    }

    /**
     * Generates an EC P-256 key pair and a self-signed certificate for it, valid for ten years.
     *
     * @param subject the distinguished name, e.g. {@code CN=device-1}
     * @param names host names or IP addresses for the subject alternative names, besides localhost, 127.0.0.1 and
     * ::1; {@code null} for a certificate without them (a device certificate)
     */
    public static SelfSigned selfSigned(String subject, @Nullable List<String> names) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keyPair = generator.generateKeyPair();
            X500Name name = new X500Name(subject);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(3650))), name, keyPair.getPublic());
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(names));
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            }
            X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(keyPair.getPrivate())));
            return new SelfSigned(keyPair, certificate);
        }
        catch (GeneralSecurityException | OperatorCreationException | IOException ex) {
            throw new IllegalStateException("Cannot generate a certificate for " + subject, ex);
        }
    }

    /**
     * A key pair and its self-signed certificate.
     *
     * @param keyPair the key pair
     * @param certificate the certificate
     */
    public record SelfSigned(KeyPair keyPair, X509Certificate certificate) {
    }

    /**
     * Uses a key store supplied by the caller; its first key entry is the server identity.
     */
    public static TlsIdentity of(KeyStore keyStore, char[] keyPassword) {
        try {
            return new TlsIdentity(keyStore, keyPassword.clone(),
                    (X509Certificate) keyStore.getCertificate(keyAlias(keyStore)));
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalArgumentException("Cannot read the supplied key store", ex);
        }
    }

    private static String keyAlias(KeyStore keyStore) throws GeneralSecurityException {
        for (String alias : Collections.list(keyStore.aliases())) {
            if (keyStore.isKeyEntry(alias)) {
                return alias;
            }
        }
        throw new IllegalArgumentException("The supplied key store has no key entry");
    }

    /**
     * The device endpoints' TLS context: BoringSSL when {@code netty-tcnative-boringssl-static} is on the class path
     * (a full handshake costs a fraction of the JDK's CPU), else the JDK's {@link #serverContext()}. Either asks for a
     * client certificate and accepts any, as {@link #serverContext()} does.
     */
    public SslContext deviceContext() {
        if (!OpenSsl.isAvailable()) {
            return new JdkSslContext(serverContext(), false, null, IdentityCipherSuiteFilter.INSTANCE, null,
                    ClientAuth.OPTIONAL, DEVICE_PROTOCOLS, false);
        }
        try {
            String alias = keyAlias(this.keyStore);
            Certificate[] chain = this.keyStore.getCertificateChain(alias);
            return SslContextBuilder
                .forServer((PrivateKey) this.keyStore.getKey(alias, this.keyPassword),
                        Arrays.copyOf(chain, chain.length, X509Certificate[].class))
                .sslProvider(SslProvider.OPENSSL)
                .protocols(DEVICE_PROTOCOLS)
                .clientAuth(ClientAuth.OPTIONAL)
                .trustManager(new AnyClientCertificate())
                .build();
        }
        catch (GeneralSecurityException | SSLException ex) {
            throw new IllegalStateException("Cannot build the emulator's device TLS context", ex);
        }
    }

    /** Which TLS implementation a context from {@link #deviceContext()} uses: {@code BoringSSL} or {@code JDK}. */
    public static String provider(SslContext context) {
        return (context instanceof OpenSslContext) ? OpenSsl.versionString() : "JDK";
    }

    /** The server's JDK SSL context: the HTTPS service API's, and the device endpoints' without BoringSSL. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(this.keyStore, this.keyPassword);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), new TrustManager[] { new AnyClientCertificate() }, null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot build the emulator's SSL context", ex);
        }
    }

    /** The server certificate in PEM form, for clients to trust. */
    public String certificatePem() {
        try {
            return pem("CERTIFICATE", this.certificate.getEncoded());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot encode the emulator's certificate", ex);
        }
    }

    /** Encodes DER bytes as PEM, e.g. type {@code CERTIFICATE} or {@code PRIVATE KEY}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A key store (PKCS12, no password) that trusts the server certificate. */
    public KeyStore trustStore() {
        try {
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry(ALIAS, this.certificate);
            return trustStore;
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("Cannot build the trust store", ex);
        }
    }

    /** A client SSL context that trusts the server certificate. */
    public SSLContext clientContext() {
        return clientContext(null);
    }

    /** A client SSL context that trusts the server certificate and presents the given client key material. */
    public SSLContext clientContext(KeyManager @Nullable [] keyManagers) {
        try {
            TrustManagerFactory trustManagers = TrustManagerFactory
                    .getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException("Cannot build the client SSL context", ex);
        }
    }

    /**
     * Lets any client certificate through the handshake, as IoT Hub does for self-signed device certificates: the
     * CONNECT is then authorised by the certificate's registered thumbprint.
     */
    private static final class AnyClientCertificate implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("The emulator does not trust servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private static GeneralNames subjectAlternativeNames(List<String> extraNames) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        names.addAll(extraNames);
        List<GeneralName> generalNames = new ArrayList<>();
        for (String name : names) {
            generalNames.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
                    : new GeneralName(GeneralName.dNSName, name));
        }
        return new GeneralNames(generalNames.toArray(GeneralName[]::new));
    }

    private static boolean isIpAddress(String name) {
        if (name.contains(":")) {
            return true;
        }
        if (!name.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(name) != null;
        }
        catch (UnknownHostException ex) {
            return false;
        }
    }
}
