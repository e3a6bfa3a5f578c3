package dev.iothub.benchmarks.scale;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client trust manager that counts the server certificate checks it makes before delegating them. The JDK checks
 * the server's certificate only in a full handshake (a resumed session sends none), so after {@code n} connections a
 * count of {@code n} shows that none was resumed.
 */
final class HandshakeCountingTrust extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager delegate;

    private final LongAdder serverChecks = new LongAdder();

    HandshakeCountingTrust(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    /** Server certificate checks so far: full handshakes. */
    long fullHandshakes() {
        return this.serverChecks.sum();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        this.serverChecks.increment();
        this.delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        this.serverChecks.increment();
        this.delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        this.serverChecks.increment();
        this.delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        this.delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        this.delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        this.delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return this.delegate.getAcceptedIssuers();
    }
}
