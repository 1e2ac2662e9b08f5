package io.dispatchd.server.security;

import io.dispatchd.server.config.SecurityOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets a running server holds, loaded from the files the flags name: its TLS context, the
 * request tokens and the admin tokens. Each is {@code null} when its flag is off. {@link #reload}
 * (SIGHUP) reads every file again; a file that has turned bad keeps what was loaded before.
 */
public final class ServerSecurity {

    private static final Logger log = LoggerFactory.getLogger(ServerSecurity.class);

    private final ServerTls tls;
    private final TokenFile authTokens;
    private final TokenFile adminTokens;

    private ServerSecurity(ServerTls tls, TokenFile authTokens, TokenFile adminTokens) {
        this.tls = tls;
        this.authTokens = authTokens;
        this.adminTokens = adminTokens;
    }

    /**
     * @throws IllegalStateException naming the file and what is wrong with it
     */
    public static ServerSecurity load(SecurityOptions options) {
        return new ServerSecurity(
                options.tls() ? ServerTls.load(options) : null,
                options.auth() ? TokenFile.load(options.authTokenFile(), "--auth-token-file") : null,
                options.adminTokenFile() != null ? TokenFile.load(options.adminTokenFile(), "--admin-token-file") : null);
    }

    /** TLS for the request and admin ports; {@code null}: plain text. */
    public ServerTls tls() {
        return tls;
    }

    /** Tokens a connection's first line must present; {@code null}: no authentication. */
    public TokenFile authTokens() {
        return authTokens;
    }

    /** Bearer tokens of the admin endpoint; {@code null}: none needed. */
    public TokenFile adminTokens() {
        return adminTokens;
    }

    public void reload() {
        if (tls == null && authTokens == null && adminTokens == null) {
            log.info("reload asked: no certificate or token file to read again");
            return;
        }
        if (tls != null) {
            tls.reload();
        }
        if (authTokens != null) {
            authTokens.reload();
        }
        if (adminTokens != null) {
            adminTokens.reload();
        }
    }
}
