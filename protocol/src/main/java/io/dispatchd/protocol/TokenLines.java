package io.dispatchd.protocol;

import java.util.List;

/**
 * The format of a token file, which the server reads for {@code --auth-token-file} and
 * {@code --admin-token-file} and a client for the token it sends: one token a line, stripped,
 * blank lines and {@code #} comments skipped, so that tokens can rotate by editing the file.
 */
public final class TokenLines {

    private TokenLines() {
    }

    /** The tokens among {@code lines}, in order. */
    public static List<String> tokens(List<String> lines) {
        return lines.stream().map(String::strip).filter(t -> !t.isEmpty() && !t.startsWith("#")).toList();
    }
}
