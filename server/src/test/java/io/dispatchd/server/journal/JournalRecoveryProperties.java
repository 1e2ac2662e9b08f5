package io.dispatchd.server.journal;

import io.dispatchd.server.journal.JournalStore.Recovered;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a crash leaves at the end of the last segment, cut short or zeros, recovery opens the journal, gives back
 * exactly the records that were whole before the damage, in order, and the journal goes on after them.
 */
class JournalRecoveryProperties {

    /** A record as appended: which segment it went into, and where. */
    private record Placed(JournalRecord record, long segment, long start, long end) {
    }

    @Provide
    Arbitrary<JournalRecord> records() {
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<String> services = Arbitraries.strings().withCharRange('a', 'z').numeric().withChars("_-")
                .ofMinLength(1).ofMaxLength(JournalRecords.MAX_SERVICE);
        // '~' becomes an astral-plane character (a surrogate pair) so that quals never hold a lone surrogate
        Arbitrary<String> quals = Arbitraries.strings().withCharRange(' ', '~').withChars("\té߿日本語ｱ\u0000")
                .ofMaxLength(40).map(s -> s.replace("~", "😀"));
        Arbitrary<JournalRecord> admitted = Combinators.combine(ids, Arbitraries.integers(), services, quals)
                .as(JournalRecord.Admitted::new);
        Arbitrary<JournalRecord> completed = ids.map(JournalRecord.Completed::new);
        return Arbitraries.oneOf(admitted, completed);
    }

    @Provide
    Arbitrary<List<List<JournalRecord>>> batches() {
        return records().list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 200)
    void aLastSegmentCutAnywhereGivesBackTheRecordsWhollyBeforeTheCut(
            @ForAll("batches") List<List<JournalRecord>> batches,
            @ForAll @LongRange(min = 60, max = 600) long segmentBytes,
            @ForAll @DoubleRange(min = 0, max = 1) double where) throws Exception {
        Path dir = Files.createTempDirectory("journal-cut");
        try {
            List<Placed> placed = write(dir, segmentBytes, batches);
            long last = placed.get(placed.size() - 1).segment();
            Path file = SegmentFiles.path(dir, last);
            long cut = Math.round(where * Files.size(file));
            JournalStoreTest.truncate(file, cut);

            assertRecovers(dir, segmentBytes, placed, last, end -> end <= cut);
        } finally {
            deleteRecursively(dir);
        }
    }

    @Property(tries = 200)
    void aLastSegmentZeroedFromAnywhereGivesBackTheRecordsUntouchedByTheZeros(
            @ForAll("batches") List<List<JournalRecord>> batches,
            @ForAll @LongRange(min = 60, max = 600) long segmentBytes,
            @ForAll @DoubleRange(min = 0, max = 1) double where) throws Exception {
        Path dir = Files.createTempDirectory("journal-zeros");
        try {
            List<Placed> placed = write(dir, segmentBytes, batches);
            long last = placed.get(placed.size() - 1).segment();
            Path file = SegmentFiles.path(dir, last);
            byte[] original = Files.readAllBytes(file);
            int from = (int) Math.round(where * original.length);
            JournalStoreTest.overwrite(file, from, new byte[original.length - from]);

            // a record reaching past `from` survives only if the bytes the zeros replaced were zeros already
            assertRecovers(dir, segmentBytes, placed, last, end -> allZero(original, from, end));
        } finally {
            deleteRecursively(dir);
        }
    }

    private static List<Placed> write(Path dir, long segmentBytes, List<List<JournalRecord>> batches) throws Exception {
        List<Placed> placed = new ArrayList<>();
        try (JournalStore store = JournalStore.open(dir, segmentBytes, r -> { })) {
            long segment = store.activeSegment();
            long offset = SegmentFiles.HEADER_SIZE;
            for (List<JournalRecord> batch : batches) {
                long into = store.append(TestRecords.batch(batch));
                if (into != segment) {
                    segment = into;
                    offset = SegmentFiles.HEADER_SIZE;
                }
                for (JournalRecord record : batch) {
                    long end = offset + TestRecords.size(record);
                    placed.add(new Placed(record, segment, offset, end));
                    offset = end;
                }
            }
        }
        return placed;
    }

    /**
     * Opens the damaged journal: it must give back every record of the earlier segments and those of the last one
     * whose end passes {@code intact}; then an appended record must come back after them.
     */
    private static void assertRecovers(Path dir, long segmentBytes, List<Placed> placed, long last, LongPredicate intact)
            throws Exception {
        List<Recovered> expected = new ArrayList<>();
        long lastEnd = SegmentFiles.HEADER_SIZE;
        for (Placed p : placed) {
            if (p.segment() < last) {
                expected.add(new Recovered(p.segment(), p.record()));
            } else if (p.segment() == last && intact.test(p.end())) {
                expected.add(new Recovered(p.segment(), p.record()));
                lastEnd = p.end();
            } else {
                break;
            }
        }
        List<Recovered> recovered = new ArrayList<>();
        JournalRecord next = new JournalRecord.Completed(Long.MIN_VALUE);
        try (JournalStore store = JournalStore.open(dir, segmentBytes, recovered::add)) {
            assertThat(recovered).isEqualTo(expected);
            assertThat(Files.size(SegmentFiles.path(dir, last))).isEqualTo(lastEnd);
            expected.add(new Recovered(store.append(TestRecords.batch(next)), next));
        }
        List<Recovered> again = new ArrayList<>();
        JournalStore.open(dir, segmentBytes, again::add).close();
        assertThat(again).isEqualTo(expected);
    }

    private static boolean allZero(byte[] bytes, int from, long to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
