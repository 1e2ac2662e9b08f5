package io.dispatchd.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as flags spell them: plain bytes ({@code 1048576}) or a whole number of {@code KiB},
 * {@code MiB} or {@code GiB} (powers of 1024; the unit's case does not matter). Decimal units
 * ({@code MB}) are refused rather than guessed at.
 */
public final class ByteSizes {

    private static final Pattern FORM = Pattern.compile("(\\d{1,19})(|kib|mib|gib)");

    private ByteSizes() {
    }

    public static long parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size: write bytes, or a number and KiB, MiB or GiB, e.g. 512MiB");
        }
        int shift = switch (m.group(2)) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 0;
        };
        try {
            long n = Long.parseLong(m.group(1));
            if (n > Long.MAX_VALUE >> shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    /** The shortest exact spelling {@link #parse} reads back: {@code 1GiB}, {@code 1536KiB}, {@code 100}. */
    public static String format(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return (bytes / unit) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}
