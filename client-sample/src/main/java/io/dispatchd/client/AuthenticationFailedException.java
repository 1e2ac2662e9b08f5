package io.dispatchd.client;

/**
 * The server did not accept the token: it answered the connection's first line, {@code AUTH token},
 * with something other than {@code +} (a server started with {@code --auth-token-file} answers a
 * wrong token {@code ?} and closes the connection). The message names the server, never the token.
 */
public final class AuthenticationFailedException extends DispatchClientException {

    /**
     * @param address {@code host:port}
     * @param answer  the byte the server answered AUTH with
     */
    public AuthenticationFailedException(String address, int answer) {
        super("authentication failed at " + address + ": " + (answer == '?'
                ? "the server refused the token (it answered '?' to AUTH)"
                : "the server answered " + describe(answer) + " to AUTH, not '+'"));
    }

    private static String describe(int answer) {
        return answer >= 0x21 && answer < 0x7F ? "'" + (char) answer + "'" : String.format("byte 0x%02X", answer & 0xFF);
    }
}
