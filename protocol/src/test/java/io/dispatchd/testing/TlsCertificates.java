package io.dispatchd.testing;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made at test time, never committed: a CA, and leaves it signs for a server
 * ({@code localhost}, {@code 127.0.0.1}, or names of the test's choosing) or a client, written as
 * PEM files (the key as PKCS#8) the server's and the client's flags and {@code openssl} read. EC
 * P-256 keys: quick to make. In this test-jar so that the server's and the client's tests share it;
 * a module using it declares BouncyCastle ({@code bcpkix-jdk18on}) for its tests.
 */
public final class TlsCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key, and where their PEM files are. */
    public record Issued(X509Certificate certificate, KeyPair keys, Path certFile, Path keyFile) {
    }

    private TlsCertificates() {
    }

    /** A self-signed CA, written to {@code dir/NAME.crt} and {@code dir/NAME.key}. */
    public static Issued authority(Path dir, String name) throws Exception {
        KeyPair keys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        JcaX509v3CertificateBuilder b = builder(subject, subject, keys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return write(dir, name, sign(b, keys), keys);
    }

    /** A server certificate for localhost and 127.0.0.1, signed by {@code ca}. */
    public static Issued server(Path dir, String name, Issued ca) throws Exception {
        return leaf(dir, name, ca, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }

    /** A server certificate for these DNS names only, signed by {@code ca}: a certificate for another host. */
    public static Issued server(Path dir, String name, Issued ca, String... dnsNames) throws Exception {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return leaf(dir, name, ca, new GeneralNames(names));
    }

    /**
     * A TLS 1.3/1.2 server context (the JDK's engine) presenting {@code server}; with
     * {@code clientCa}, clients must present a certificate it signed (mutual TLS).
     */
    public static SslContext serverContext(Issued server, Issued clientCa) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(server.certFile().toFile(), server.keyFile().toFile())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2");
        if (clientCa != null) {
            builder.trustManager(clientCa.certFile().toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    /** A client certificate, signed by {@code ca}. */
    public static Issued client(Path dir, String name, Issued ca) throws Exception {
        return leaf(dir, name, ca, null);
    }

    private static Issued leaf(Path dir, String name, Issued ca, GeneralNames altNames) throws Exception {
        KeyPair keys = newKeys();
        JcaX509v3CertificateBuilder b = builder(
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                new X500Name("CN=" + name), keys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (altNames != null) {
            b.addExtension(Extension.subjectAlternativeName, false, altNames);
        }
        return write(dir, name, sign(b, ca.keys()), keys);
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) throws Exception {
        ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        X509CertificateHolder holder = b.build(s);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static Issued write(Path dir, String name, X509Certificate cert, KeyPair keys) throws IOException {
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        writePem(certFile, cert);
        // PKCS#8 ("BEGIN PRIVATE KEY"): what Netty's SslContextBuilder reads
        writePem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null));
        return new Issued(cert, keys, certFile, keyFile);
    }

    private static void writePem(Path file, Object o) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        }
    }
}
