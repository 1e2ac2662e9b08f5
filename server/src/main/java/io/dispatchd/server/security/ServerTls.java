package io.dispatchd.server.security;

import io.dispatchd.server.config.SecurityOptions;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * The server's TLS: TLS 1.3 and 1.2 only, from PEM files, with OpenSSL (BoringSSL, from
 * {@code netty-tcnative-boringssl-static}) where it loads and the JDK's engine otherwise. The
 * context can be {@link #reload reloaded} (SIGHUP): connections made after that use the new
 * certificate, those open keep theirs.
 */
public final class ServerTls {

    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SecurityOptions options;
    private final SslProvider provider;
    private volatile SslContext context;

    private ServerTls(SecurityOptions options, SslProvider provider, SslContext context) {
        this.options = options;
        this.provider = provider;
        this.context = context;
    }

    /**
     * @throws IllegalStateException naming the file and what is wrong with it
     */
    public static ServerTls load(SecurityOptions options) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        ServerTls tls = new ServerTls(options, provider, build(options, provider));
        if (provider == SslProvider.OPENSSL) {
            log.info("TLS by OpenSSL ({}), TLSv1.3 and TLSv1.2{}", OpenSsl.versionString(),
                    options.clientCertificates() ? ", client certificates required" : "");
        } else {
            log.info("TLS by the JDK's engine (OpenSSL did not load: {}), TLSv1.3 and TLSv1.2{}",
                    OpenSsl.unavailabilityCause(), options.clientCertificates() ? ", client certificates required" : "");
        }
        return tls;
    }

    /** A handler for a new connection, with the context in force now. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    /** Reads the files again; on failure keeps the context it has and logs why. */
    public void reload() {
        try {
            context = build(options, provider);
            log.info("TLS certificate reloaded from {}: new connections use it", options.tlsCertFile());
        } catch (IllegalStateException e) {
            log.error("{}; keeping the certificate loaded before", e.getMessage());
        }
    }

    private static SslContext build(SecurityOptions options, SslProvider provider) {
        checkCertificates(options.tlsCertFile(), "--tls-cert-file");
        if (options.clientCertificates()) {
            checkCertificates(options.tlsCaFile(), "--tls-ca-file");
        }
        if (!Files.isReadable(options.tlsKeyFile())) {
            throw new IllegalStateException("cannot read --tls-key-file " + options.tlsKeyFile());
        }
        try {
            SslContextBuilder builder = SslContextBuilder
                    .forServer(options.tlsCertFile().toFile(), options.tlsKeyFile().toFile())
                    .sslProvider(provider)
                    .protocols(PROTOCOLS);
            if (options.clientCertificates()) {
                builder.trustManager(options.tlsCaFile().toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            // the certificates parsed above, so what is left is the key, or the key and certificate together
            throw new IllegalStateException("cannot use --tls-key-file " + options.tlsKeyFile() + " with --tls-cert-file "
                    + options.tlsCertFile() + ": " + rootMessage(e), e);
        }
    }

    /** The file holds at least one PEM certificate; else a one-line reason naming it. */
    private static void checkCertificates(Path file, String flag) {
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalStateException(flag + " " + file + " holds no PEM certificate");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + flag + " " + file + ": " + e, e);
        } catch (CertificateException e) {
            throw new IllegalStateException(flag + " " + file + " is not a PEM certificate: " + rootMessage(e), e);
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
