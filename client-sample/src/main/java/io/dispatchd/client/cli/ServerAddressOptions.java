package io.dispatchd.client.cli;

import io.dispatchd.client.AuthTokens;
import io.dispatchd.client.ClientOptions;
import io.dispatchd.client.ClientTls;
import io.dispatchd.client.TlsOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where the server is and how to reach it, shared by {@code send} and {@code bench}: {@code --host},
 * {@code --port}, TLS ({@code --tls} and its files) and the token ({@code --token-file} or
 * {@code $DISPATCHD_TOKEN}). A file that cannot be used is a usage error (exit 2), found before
 * anything connects.
 */
final class ServerAddressOptions {

    /** The environment variable a token may come from when no {@code --token-file} is given. */
    static final String TOKEN_VARIABLE = "DISPATCHD_TOKEN";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ClientOptions.DEFAULT_HOST,
            description = "Server host (default: ${DEFAULT-VALUE}). With --tls, the server's certificate must name it.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ClientOptions.DEFAULT_PORT,
            description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tls", description = "Speak TLS (1.3 or 1.2), verifying that the server's certificate names --host.")
    boolean tls;

    @Option(names = "--tls-ca-file", paramLabel = "FILE",
            description = "With --tls: trust the CA certificates of this PEM file (default: the JVM's trust store).")
    Path tlsCaFile;

    @Option(names = "--tls-cert-file", paramLabel = "FILE",
            description = "With --tls: present this client certificate (PEM), for a server that requires one.")
    Path tlsCertFile;

    @Option(names = "--tls-key-file", paramLabel = "FILE",
            description = "With --tls-cert-file: its private key (PEM, unencrypted PKCS#8).")
    Path tlsKeyFile;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Send 'AUTH token' first, the token being the first line of FILE that is neither blank "
                    + "nor a # comment (default: $" + TOKEN_VARIABLE + " when set).")
    Path tokenFile;

    /** The port; one out of range is a usage error. */
    int port() {
        if (port < 1 || port > 65_535) {
            throw usage("--port must be 1-65535: " + port);
        }
        return port;
    }

    String host() {
        return host;
    }

    /**
     * The TLS options, their files read and checked; {@code null} without {@code --tls}.
     *
     * @throws ParameterException with a one-line reason when a flag or file cannot be used
     */
    TlsOptions tls() {
        if (!tls) {
            if (tlsCaFile != null || tlsCertFile != null || tlsKeyFile != null) {
                throw usage("--tls-ca-file, --tls-cert-file and --tls-key-file go with --tls");
            }
            return null;
        }
        if ((tlsCertFile == null) != (tlsKeyFile == null)) {
            throw usage("--tls-cert-file and --tls-key-file go together: a client certificate needs its key");
        }
        requireReadable(tlsCaFile, "--tls-ca-file");
        requireReadable(tlsCertFile, "--tls-cert-file");
        requireReadable(tlsKeyFile, "--tls-key-file");
        TlsOptions options = tlsCaFile == null ? TlsOptions.defaults() : TlsOptions.trusting(tlsCaFile);
        if (tlsCertFile != null) {
            options = options.withClientCertificate(tlsCertFile, tlsKeyFile);
        }
        try {
            ClientTls.load(options); // the PEM contents: a certificate that is none is a usage error too
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        return options;
    }

    /**
     * The token: the first line of {@code --token-file} that is neither blank nor a comment, else {@code $DISPATCHD_TOKEN}
     * when set and not blank, else {@code null}. Never quoted in a message.
     *
     * @param env the environment, by variable name
     * @throws ParameterException when the file cannot be read or holds no usable token
     */
    String token(UnaryOperator<String> env) {
        if (tokenFile != null) {
            requireReadable(tokenFile, "--token-file");
            try {
                return AuthTokens.read(tokenFile);
            } catch (IOException e) {
                throw usage("cannot read --token-file " + tokenFile + ": " + e);
            } catch (IllegalArgumentException e) {
                throw usage("--token-file " + e.getMessage());
            }
        }
        String token = env.apply(TOKEN_VARIABLE);
        if (token == null || token.isBlank()) {
            return null;
        }
        try {
            return AuthTokens.check(token.strip());
        } catch (IllegalArgumentException e) {
            throw usage("$" + TOKEN_VARIABLE + ": " + e.getMessage());
        }
    }

    /** Whether a token was asked for on the command line (the environment aside). */
    boolean tokenFileGiven() {
        return tokenFile != null;
    }

    private void requireReadable(Path file, String flag) {
        if (file == null) {
            return;
        }
        if (!Files.exists(file)) {
            throw usage(flag + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw usage(flag + " " + file + ": not a readable file");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(mixee.commandLine(), message);
    }
}
