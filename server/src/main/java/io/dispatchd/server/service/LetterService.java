package io.dispatchd.server.service;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.Locale;

/**
 * The built-in services A–D: each runs the engine with its letter, under its letter's key in lower
 * case ({@code a 88} → tokens {@code 88A000…}).
 */
public final class LetterService implements Service {

    private final char letter;
    private final String key;

    public LetterService(char letter) {
        this.letter = Character.toUpperCase(letter);
        this.key = String.valueOf(letter).toLowerCase(Locale.ROOT);
    }

    /** The four built-in services. */
    public static List<Service> builtIns() {
        return List.of(new LetterService('A'), new LetterService('B'), new LetterService('C'), new LetterService('D'));
    }

    @Override
    public String key() {
        return key;
    }

    /** The engine waits out its pauses on the shared clock: the job holds no thread meanwhile. */
    @Override
    public CompletionStage<?> start(String qual, ServiceContext context) {
        return context.engine().start(qual, letter);
    }

    @Override
    public String toString() {
        return "service " + letter;
    }
}
