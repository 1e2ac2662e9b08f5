package io.dispatchd.server.security;

import io.dispatchd.protocol.TokenLines;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A file of secret tokens, one a line (blank lines and {@code #} comments skipped), so that a new
 * token can be added and the old one removed later: rotation without a restart, by editing the
 * file and sending SIGHUP ({@link #reload}). Only SHA-256 digests are kept, and a candidate is
 * compared with every one of them in time that does not depend on where, or whether, it differs.
 */
public final class TokenFile {

    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

    private final Path path;
    private final String flag;
    private volatile List<byte[]> digests;

    private TokenFile(Path path, String flag, List<byte[]> digests) {
        this.path = path;
        this.flag = flag;
        this.digests = digests;
    }

    /**
     * Reads the tokens; warns when others may read the file.
     *
     * @param flag the flag that named the file, for messages
     * @throws IllegalStateException with a one-line reason when the file cannot be read or holds no token
     */
    public static TokenFile load(Path path, String flag) {
        TokenFile tokens = new TokenFile(path, flag, read(path, flag));
        tokens.warnIfOthersCanRead();
        return tokens;
    }

    /** Reads the file again; on failure keeps the tokens it has and logs why. */
    public void reload() {
        try {
            digests = read(path, flag);
            log.info("{} {}: {} tokens loaded", flag, path, digests.size());
            warnIfOthersCanRead();
        } catch (IllegalStateException e) {
            log.error("{}; keeping the tokens loaded before", e.getMessage());
        }
    }

    /** Whether {@code candidate} is one of the tokens: constant time for a given number of tokens. */
    public boolean matches(String candidate) {
        byte[] digest = sha256(candidate);
        boolean found = false;
        for (byte[] token : digests) {
            found |= MessageDigest.isEqual(token, digest);
        }
        return found;
    }

    private static List<byte[]> read(Path path, String flag) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + flag + " " + path + ": " + e, e);
        }
        List<byte[]> digests = new ArrayList<>();
        for (String token : TokenLines.tokens(lines)) {
            digests.add(sha256(token));
        }
        if (digests.isEmpty()) {
            throw new IllegalStateException(flag + " " + path + " holds no token (one a line)");
        }
        return List.copyOf(digests);
    }

    private void warnIfOthersCanRead() {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("{} {} can be read by other users (chmod 600 it): whoever reads it can submit work", flag, path);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }
}
