package io.dispatchd.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the README's code examples and the tests that run them the same text. */
final class ReadmeExamples {

    private static final Path README = Path.of("README.md");

    private ReadmeExamples() {
    }

    /**
     * Asserts that the README holds, verbatim, the lines of {@code source} between
     * {@code // MARKER begins} and {@code // MARKER ends}, un-indented by the 8 spaces of a method body.
     */
    static void assertReadmeShows(Path source, String marker) throws IOException {
        String text = Files.readString(source);
        String begin = "// " + marker + " begins";
        String end = "        // " + marker + " ends";
        // lastIndexOf: the markers' first occurrences may be string literals in the test itself
        String example = text.substring(text.lastIndexOf(begin) + begin.length(), text.lastIndexOf(end));
        String unindented = example.strip().lines().map(l -> l.startsWith("        ") ? l.substring(8) : l)
                .reduce((a, b) -> a + "\n" + b).orElseThrow();
        assertThat(Files.readString(README)).contains(unindented);
    }
}
