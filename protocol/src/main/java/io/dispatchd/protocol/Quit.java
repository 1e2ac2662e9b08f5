package io.dispatchd.protocol;

/** {@code QUIT} alone on a line: write the acks still owed, then close. Gets no ack itself. */
public enum Quit implements Command {
    INSTANCE
}
