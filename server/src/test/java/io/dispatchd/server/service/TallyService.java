package io.dispatchd.server.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test plugin for {@code JournalKillIT}, which ships it to the packaged server in a plugin jar of
 * its own (it is deliberately not registered in this module's test resources): {@code tally QUAL}
 * pauses {@value #PAUSE_MILLIS} milliseconds, then appends {@code QUAL} and a newline to the file
 * named by the system property {@value #FILE}. The file is a record, outside the server and
 * unaffected by its log settings, of every job that ran to its end, across processes.
 */
public final class TallyService implements Service {

    public static final String FILE = "dispatchd.test.tally";
    public static final String PAUSE_MILLIS = "dispatchd.test.tally.pauseMillis";

    private final FileChannel out;
    private final long pauseMillis;

    public TallyService() {
        String file = System.getProperty(FILE);
        pauseMillis = Long.getLong(PAUSE_MILLIS, 0);
        try {
            out = file == null ? null : FileChannel.open(Path.of(file),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The quals in a tally file, one per whole line (a line still being written is left out). */
    public static java.util.List<String> tallied(Path tally) throws IOException {
        if (!java.nio.file.Files.exists(tally)) {
            return java.util.List.of();
        }
        String text = java.nio.file.Files.readString(tally, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? java.util.List.of() : java.util.List.of(text.substring(0, end).split("\n"));
    }

    @Override
    public String key() {
        return "tally";
    }

    @Override
    public void execute(String qual, ServiceContext context) throws Exception {
        if (pauseMillis > 0) {
            Thread.sleep(pauseMillis);
        }
        if (out != null) {
            ByteBuffer line = ByteBuffer.wrap((qual + "\n").getBytes(StandardCharsets.UTF_8));
            synchronized (this) { // whole lines, never interleaved
                while (line.hasRemaining()) {
                    out.write(line);
                }
            }
        }
    }
}
