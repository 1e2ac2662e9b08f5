package io.dispatchd.protocol;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's one duration syntax, shared by the server's and the client's flags (it lives
 * here because this is the module both depend on; the wire itself carries no durations).
 * Durations as flags spell them: a whole number and a unit, {@code 250us}, {@code 5ms},
 * {@code 30s}, {@code 5m}, {@code 1h} ({@code ns} too). A bare {@code 0}, {@code off} or
 * {@code none} mean "no limit" where a flag allows it; a bare number otherwise is an error,
 * because {@code --idle-timeout 300} is ambiguous.
 */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d{1,18})(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    /** Parses a duration; {@code 0}, {@code off} and {@code none} give {@link Duration#ZERO}. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0") || t.equals("off") || t.equals("none")) {
            return Duration.ZERO;
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration: write a number and a unit, e.g. 250us, 5ms, 30s, 5m");
        }
        long n = Long.parseLong(m.group(1));
        try {
            Duration d = switch (m.group(2)) {
                case "ns" -> Duration.ofNanos(n);
                case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1_000L));
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> throw new AssertionError(m.group(2));
            };
            d.toNanos(); // every user counts in nanoseconds: refuse here what they could not
            return d;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is too long a duration: at most about 292 years (2^63 ns)");
        }
    }

    /** The shortest exact spelling {@link #parse} reads back: {@code 100us}, {@code 30s}, {@code 0}. */
    public static String format(Duration d) {
        long ns = d.toNanos();
        if (ns == 0) {
            return "0";
        }
        long[] sizes = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
        String[] units = {"h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < sizes.length; i++) {
            if (ns % sizes[i] == 0) {
                return (ns / sizes[i]) + units[i];
            }
        }
        throw new AssertionError(d);
    }
}
