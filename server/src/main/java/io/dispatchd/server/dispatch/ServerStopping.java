package io.dispatchd.server.dispatch;

/**
 * The user event the server fires down every request pipeline when it shuts down, once admitted
 * jobs have finished or been cut off: the connection writes the acks it owes, then closes.
 */
public enum ServerStopping {
    INSTANCE
}
