package io.dispatchd.server;

/** The server could not start: its message is the one-line reason shown to the user (exit code 1). */
public final class StartupException extends Exception {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
