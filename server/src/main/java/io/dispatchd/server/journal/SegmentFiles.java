package io.dispatchd.server.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names and headers of segment files. A segment is {@code %020d.journal} (its sequence number, from 1, padded so
 * that names sort like numbers) and starts with the 8 ASCII bytes {@code DJOURNL1}: magic and format version 1.
 */
final class SegmentFiles {

    private static final Logger log = LoggerFactory.getLogger(SegmentFiles.class);

    static final int HEADER_SIZE = 8;

    private static final byte[] HEADER = "DJOURNL1".getBytes(StandardCharsets.US_ASCII);

    private static final String SUFFIX = ".journal";

    /** Windows cannot open a directory as a channel; everywhere else a failed directory fsync is a real error. */
    private static final boolean DIRECTORY_SYNC_UNSUPPORTED =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private SegmentFiles() {
    }

    static Path path(Path dir, long sequence) {
        return dir.resolve(String.format("%020d%s", sequence, SUFFIX));
    }

    /** The sequence numbers of the segments in {@code dir}, ascending; other files, and names that do not parse, are ignored. */
    static List<Long> list(Path dir) throws IOException {
        List<Long> sequences = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                long sequence = parse(file.getFileName().toString());
                if (sequence > 0 && Files.isRegularFile(file)) {
                    sequences.add(sequence);
                }
            }
        }
        Collections.sort(sequences);
        return sequences;
    }

    /** The sequence number in a segment's name, or -1 if it is not exactly 20 digits and the suffix. */
    static long parse(String name) {
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        long sequence = 0;
        for (int i = 0; i < 20; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || sequence > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            sequence = sequence * 10 + (c - '0');
        }
        return sequence;
    }

    static ByteBuffer header() {
        return ByteBuffer.wrap(HEADER.clone());
    }

    /** Whether {@code bytes} (8 of them) are the header this version writes. */
    static boolean isHeader(ByteBuffer bytes) {
        return bytes.remaining() == HEADER_SIZE && bytes.equals(ByteBuffer.wrap(HEADER));
    }

    /** Writes the header at offset 0 of an empty file. */
    static void writeHeader(FileChannel channel) throws IOException {
        ByteBuffer header = header();
        while (header.hasRemaining()) {
            channel.write(header, header.position());
        }
        channel.position(HEADER_SIZE);
    }

    /** Makes a created or deleted file's directory entry durable; without it a crash can lose a whole segment. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!DIRECTORY_SYNC_UNSUPPORTED) {
                throw e;
            }
            log.debug("cannot fsync directory {} on this platform", dir, e);
        }
    }
}
