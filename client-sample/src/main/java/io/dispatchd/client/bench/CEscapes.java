package io.dispatchd.client.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * C-style escapes for raw request bytes typed on a command line:
 * {@code 'LPUSH q 88\r\n'} becomes the 12 bytes {@code LPUSH q 88 CR LF}.
 * Known: {@code \r \n \t \0 \\ \' \" \a \b \e \f \v} and {@code \xHH} (exactly two hex
 * digits); anything else after a backslash is an error rather than a silent guess. Characters
 * other than escapes are encoded as UTF-8.
 */
public final class CEscapes {

    private CEscapes() {
    }

    public static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '\\') {
                    end++;
                }
                out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
                continue;
            }
            if (++i == text.length()) {
                throw new IllegalArgumentException("a lone backslash at the end of '" + text + "'");
            }
            char e = text.charAt(i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'e' -> out.write(27);
                case 'f' -> out.write(12);
                case 'v' -> out.write(11);
                case 'x' -> {
                    if (i + 2 >= text.length()) {
                        throw new IllegalArgumentException("\\x needs two hex digits in '" + text + "'");
                    }
                    int hi = Character.digit(text.charAt(i + 1), 16);
                    int lo = Character.digit(text.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("\\x needs two hex digits in '" + text + "'");
                    }
                    out.write(hi << 4 | lo);
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e + " in '" + text + "'");
            }
        }
        return out.toByteArray();
    }
}
