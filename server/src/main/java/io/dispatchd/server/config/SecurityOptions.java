package io.dispatchd.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may talk to the server, and how privately: TLS on the request port (and HTTPS on the admin
 * port), tokens for requests and for the admin endpoint, and protected mode.
 *
 * @param tlsCertFile     PEM certificate chain of the server; {@code null}: plain text
 * @param tlsKeyFile      PEM private key (PKCS#8) of that certificate
 * @param tlsCaFile       PEM CA certificates a client's certificate must chain to; {@code null}: no client certificates
 * @param authTokenFile   tokens a connection's first line must present ({@code AUTH token}), one a line; {@code null}: none
 * @param protectedMode   refuse to listen beyond loopback without a token file or client certificates
 * @param adminTokenFile  bearer tokens the admin endpoint wants on every path but {@code /health}; {@code null}: none
 */
public record SecurityOptions(Path tlsCertFile, Path tlsKeyFile, Path tlsCaFile, Path authTokenFile,
                              boolean protectedMode, Path adminTokenFile) {

    public SecurityOptions {
        if ((tlsCertFile == null) != (tlsKeyFile == null)) {
            throw new IllegalArgumentException("--tls-cert-file and --tls-key-file go together: give both or neither");
        }
        if (tlsCaFile != null && tlsCertFile == null) {
            throw new IllegalArgumentException("--tls-ca-file asks clients for certificates over TLS: give"
                    + " --tls-cert-file and --tls-key-file too");
        }
    }

    public boolean tls() {
        return tlsCertFile != null;
    }

    public boolean clientCertificates() {
        return tlsCaFile != null;
    }

    public boolean auth() {
        return authTokenFile != null;
    }

    /**
     * Protected mode, as Redis has it: listening beyond loopback with nobody authenticated is what
     * a mistake looks like, so it is refused unless the operator says the network is trusted.
     *
     * @throws IllegalArgumentException naming both ways out
     */
    void checkProtectedMode(String bind) {
        if (!protectedMode || auth() || clientCertificates() || isLoopback(bind)) {
            return;
        }
        throw new IllegalArgumentException("protected mode: --bind " + bind + " listens beyond this machine and"
                + " nobody would have to authenticate; give --auth-token-file FILE (clients send AUTH token first)"
                + " or --tls-ca-file FILE (clients present certificates), or --protected-mode off on a trusted network");
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false; // the bind itself will fail and say so
        }
    }

    /** In flag spelling, for the startup log; file names only. */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("tls", tls() ? tlsCertFile.toString() : "off");
        if (clientCertificates()) {
            s.put("tls-ca-file", tlsCaFile.toString());
        }
        s.put("auth", auth() ? authTokenFile.toString() : "off");
        s.put("protected-mode", protectedMode ? "on" : "off");
        s.put("admin-token", adminTokenFile != null ? adminTokenFile.toString() : "off");
        return s;
    }
}
