package io.dispatchd.client;

import io.dispatchd.protocol.Request;
import io.dispatchd.protocol.TokenLines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The token a server started with {@code --auth-token-file} wants as the first line of each
 * connection: {@code AUTH token}, answered {@code +} (else {@code ?}, and the server closes the
 * connection). No message of this class, nor of any exception the client throws, holds a token.
 */
public final class AuthTokens {

    private AuthTokens() {
    }

    /**
     * Checks that {@code token} fits on the AUTH line, as the protocol allows a qual: not empty,
     * no leading or trailing blank, no control character.
     *
     * @return the token
     * @throws IllegalArgumentException saying what is wrong, without the token
     */
    public static String check(String token) {
        if (token == null) {
            throw new IllegalArgumentException("token must not be null");
        }
        try {
            new Request("AUTH", token); // the protocol's own rules for what follows the key
        } catch (IllegalArgumentException e) {
            // the qual rules' messages never quote the qual, so none of this is the token
            throw new IllegalArgumentException(e.getMessage().replace("qual", "token"));
        }
        return token;
    }

    /** The first line of a connection: {@code AUTH token\n}, UTF-8. */
    public static byte[] authLine(String token) {
        return ("AUTH " + check(token) + '\n').getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The token in {@code file}: its first line that is neither blank nor a {@code #} comment,
     * stripped (a server's token file, which holds one token a line, can be given as it is).
     *
     * @throws IllegalArgumentException when the file holds no token, or one the AUTH line cannot carry
     * @throws IOException              when the file cannot be read
     */
    public static String read(Path file) throws IOException {
        List<String> tokens = TokenLines.tokens(Files.readAllLines(file, StandardCharsets.UTF_8));
        if (!tokens.isEmpty()) {
            try {
                return check(tokens.get(0));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException(file + " holds no token (its first line that is neither blank nor a # comment)");
    }
}
