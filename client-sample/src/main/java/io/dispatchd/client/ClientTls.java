package io.dispatchd.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslClosedEngineException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of TLS, made from {@link TlsOptions}: the files read and checked once, then an
 * {@link SslHandler} per connection. TLS 1.3 and 1.2 only (as the server), the JDK's engine, and
 * host name verification always on: each engine is made for the host the caller gave, which it
 * sends as SNI (unless it is an IP address) and which the server's certificate must name
 * (endpoint identification {@code HTTPS}: a DNS or IP subject alternative name).
 *
 * <p>The files are read once, into a trust manager and a key manager every context shares.
 * Shared by {@link DispatchClient} and the load generator; immutable, thread-safe.
 */
public final class ClientTls {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** RFC 2818's rules, as an HTTPS client checks a server: the ones that fit a host:port server too. */
    private static final String HOST_NAME_VERIFICATION = "HTTPS";
    private static final Pattern PKCS8_PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    /** The key types a PKCS#8 client key may hold, and how to sign with each (to check it fits the certificate). */
    private static final Map<String, String> KEY_TYPES = Map.of(
            "EC", "SHA256withECDSA", "RSA", "SHA256withRSA", "EdDSA", "EdDSA", "RSASSA-PSS", "", "DSA", "SHA256withDSA");

    private final TlsOptions options;
    private final TrustManagerFactory trust;
    /** The client certificate and its key, or {@code null} for none. */
    private final KeyManagerFactory keys;
    private final SslContext shared;

    private ClientTls(TlsOptions options, TrustManagerFactory trust, KeyManagerFactory keys) {
        this.options = options;
        this.trust = trust;
        this.keys = keys;
        this.shared = newContext();
    }

    /**
     * Reads and checks the files of {@code options}: the CA file holds certificates, the client
     * certificate file too, and the key file an unencrypted PKCS#8 key that goes with that certificate.
     *
     * @throws IllegalArgumentException with a one-line reason naming the file that cannot be used
     */
    public static ClientTls load(TlsOptions options) {
        TrustManagerFactory trust = options.caFile() == null ? jvmTrustStore()
                : trusting(certificates(read(options.caFile(), "CA file"), options.caFile(), "CA file"));
        KeyManagerFactory keys = null;
        if (options.clientCertificate()) {
            X509Certificate[] chain = certificates(read(options.certFile(), "client certificate file"), options.certFile(),
                    "client certificate file");
            PrivateKey key = privateKey(read(options.keyFile(), "client key file"), options.keyFile());
            if (!goTogether(key, chain[0])) {
                throw new IllegalArgumentException("client key file " + options.keyFile()
                        + " does not go with client certificate file " + options.certFile());
            }
            keys = presenting(key, chain);
        }
        return new ClientTls(options, trust, keys);
    }

    /**
     * A handler for one connection to {@code host:port}, from a context shared by every handler
     * of this instance: a later connection may resume an earlier one's session.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        return handler(shared, alloc, host, port);
    }

    /**
     * A handler from a context of its own, so its connection resumes no session and makes a full
     * handshake: what a load generator measuring handshakes needs (each connection a new client).
     * Cheap: the files were read, and the trust and key managers made, once by {@link #load}.
     */
    public SslHandler newHandlerWithoutResumption(ByteBufAllocator alloc, String host, int port) {
        return handler(newContext(), alloc, host, port);
    }

    /**
     * Why a handshake failed, in a few words for a one-line error: what the TLS engine said at the
     * root ({@code No subject alternative DNS name matching localhost found.}, {@code unable to
     * find valid certification path to requested target}, {@code Received fatal alert: ...}).
     */
    public static String describe(Throwable failure) {
        if (failure instanceof SslHandshakeTimeoutException) {
            return failure.getMessage();
        }
        if (failure instanceof ClosedChannelException || failure instanceof SslClosedEngineException) {
            return "the server closed the connection (does it speak TLS on this port?)";
        }
        return rootMessage(failure);
    }

    private static SslHandler handler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters(); // hostname verification: set by the context's builder
        SNIHostName serverName = serverName(host);
        if (serverName != null) {
            parameters.setServerNames(List.of(serverName)); // the JDK sends none by itself for a name without a dot
        }
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** The SNI name for {@code host}; {@code null} for an IP address (SNI carries names only) or a name SNI cannot hold. */
    private static SNIHostName serverName(String host) {
        if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
            return null;
        }
        try {
            return new SNIHostName(host.endsWith(".") ? host.substring(0, host.length() - 1) : host);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private SslContext newContext() {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm(HOST_NAME_VERIFICATION)
                .trustManager(trust);
        if (keys != null) {
            builder.keyManager(keys);
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS with " + options + ": " + rootMessage(e), e);
        }
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e, e);
        }
    }

    /** The certificates of a PEM file, at least one; else a one-line reason naming it. */
    private static X509Certificate[] certificates(byte[] pem, Path file, String what) {
        try {
            X509Certificate[] certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
            if (certificates.length == 0) {
                throw new IllegalArgumentException(what + " " + file + " holds no PEM certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(what + " " + file + " is not a PEM certificate: " + rootMessage(e), e);
        }
    }

    /** The key of a PEM file holding an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}) of a known type. */
    private static PrivateKey privateKey(byte[] pem, Path file) {
        Matcher m = PKCS8_PEM.matcher(new String(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException("client key file " + file + " holds no unencrypted PKCS#8 PEM key"
                    + " (BEGIN PRIVATE KEY; openssl pkcs8 -topk8 -nocrypt converts others)");
        }
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("client key file " + file + " is not valid PEM: " + e.getMessage(), e);
        }
        for (String type : KEY_TYPES.keySet()) {
            try {
                return KeyFactory.getInstance(type).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this type: try the next
            }
        }
        throw new IllegalArgumentException("client key file " + file + " holds a key of no type this JVM reads ("
                + String.join(", ", new TreeSet<>(KEY_TYPES.keySet())) + ")");
    }

    /**
     * Whether {@code key} signs what {@code certificate}'s public key verifies (a key of another
     * type fails to verify), when its type says how to sign.
     */
    private static boolean goTogether(PrivateKey key, X509Certificate certificate) {
        String algorithm = KEY_TYPES.get(key.getAlgorithm());
        if (algorithm == null || algorithm.isEmpty()) {
            return true; // no plain way to sign with it here: the handshake will tell
        }
        try {
            byte[] probe = "dispatchd".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static TrustManagerFactory trusting(X509Certificate[] authorities) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < authorities.length; i++) {
                store.setCertificateEntry("ca-" + i, authorities[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a trust store: " + rootMessage(e), e);
        }
    }

    private static KeyManagerFactory presenting(PrivateKey key, X509Certificate[] chain) {
        try {
            char[] password = new char[0]; // the store lives in memory only
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setKeyEntry("client", key, password, chain);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the client certificate " + chain[0].getSubjectX500Principal()
                    + " with its key: " + rootMessage(e), e);
        }
    }

    private static TrustManagerFactory jvmTrustStore() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JVM's trust store: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
