package io.dispatchd.protocol;

/**
 * What one non-blank request line means: a {@link Request} to run, a {@link Quit}, or a
 * {@link BadRequest} that is answered {@code ?} without running anything. Immutable, so a
 * command may cross from an event loop to a worker thread.
 */
public sealed interface Command permits Request, Quit, BadRequest {
}
