package io.dispatchd.server.journal;

import io.dispatchd.server.journal.JournalStore.Recovered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.dispatchd.server.journal.TestRecords.admitted;
import static io.dispatchd.server.journal.TestRecords.batch;
import static io.dispatchd.server.journal.TestRecords.completed;
import static io.dispatchd.server.journal.TestRecords.size;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalStoreTest {

    private static final long BIG = 1 << 20;
    private static final int HEADER = SegmentFiles.HEADER_SIZE;

    private static final JournalRecord R1 = admitted(1, "héllo 😀");
    private static final JournalRecord R2 = admitted(2, "88");
    private static final JournalRecord R3 = completed(1);
    private static final JournalRecord R4 = new JournalRecord.Admitted(3, 2, "svc-b", "third");

    @TempDir
    Path dir;

    private final List<JournalStore> opened = new ArrayList<>();

    @AfterEach
    void closeStores() throws IOException {
        for (JournalStore store : opened) {
            store.close();
        }
    }

    // ---- appends, reopen, rolling ----

    @Test
    void aNewJournalIsSegmentOneHoldingOnlyItsHeader() throws Exception {
        Path nested = dir.resolve("a/b");
        JournalStore store = open(nested, BIG, new ArrayList<>());

        assertThat(store.activeSegment()).isEqualTo(1);
        assertThat(store.segments()).containsExactly(1L);
        assertThat(store.directory()).isEqualTo(nested);
        assertThat(store.bytes()).isEqualTo(HEADER);
        assertThat(Files.readString(nested.resolve("00000000000000000001.journal"), StandardCharsets.US_ASCII))
                .isEqualTo("DJOURNL1");
    }

    @Test
    void appendedRecordsComeBackInOrderWithTheirSegmentAfterReopen() throws Exception {
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { })) {
            assertThat(store.append(batch(R1, R2))).isEqualTo(1);
            assertThat(store.append(batch(R3))).isEqualTo(1);
            store.force();
        }

        assertThat(reopen(BIG)).containsExactly(new Recovered(1, R1), new Recovered(1, R2), new Recovered(1, R3));
    }

    @Test
    void aSegmentLargerThanTheScannersWindowComesBackWholeWhateverTheRecordsStraddle() throws Exception {
        // Records of odd sizes, so that some straddle every 64 KiB boundary the scanner reads across.
        List<JournalRecord> records = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            records.add(i % 7 == 6 ? completed(i - 3) : admitted(i, "q" + "x".repeat(i % 13)));
        }
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { })) {
            store.append(batch(records));
        }
        assertThat(Files.size(dir.resolve("00000000000000000001.journal"))).isGreaterThan(3 * 64 * 1024);

        assertThat(reopen(BIG)).extracting(Recovered::record).containsExactlyElementsOf(records);
    }

    @Test
    void appendsAfterReopenFollowTheRecoveredRecords() throws Exception {
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { })) {
            store.append(batch(R1));
        }
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { })) {
            store.append(batch(R2));
        }

        assertThat(records(reopen(BIG))).containsExactly(R1, R2);
    }

    @Test
    void anAppendThatWouldPassTheSegmentSizeRollsToANewSegmentAndRecoveryCrossesThem() throws Exception {
        long segmentBytes = HEADER + 2L * size(R2);
        List<Long> segments = new ArrayList<>();
        try (JournalStore store = JournalStore.open(dir, segmentBytes, r -> { })) {
            for (long id = 1; id <= 5; id++) {
                segments.add(store.append(batch(admitted(id, "88"))));
            }
            assertThat(store.segments()).containsExactly(1L, 2L, 3L);
            assertThat(store.bytes()).isEqualTo(3 * HEADER + 5L * size(R2));
        }

        assertThat(segments).containsExactly(1L, 1L, 2L, 2L, 3L);
        assertThat(Files.size(SegmentFiles.path(dir, 1))).isEqualTo(segmentBytes);
        assertThat(Files.size(SegmentFiles.path(dir, 2))).isEqualTo(segmentBytes);
        List<Recovered> recovered = reopen(segmentBytes);
        assertThat(recovered).extracting(Recovered::segment).containsExactly(1L, 1L, 2L, 2L, 3L);
        assertThat(recovered).extracting(r -> r.record().id()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aBatchLargerThanTheSegmentSizeStaysWholeInOneSegment() throws Exception {
        try (JournalStore store = JournalStore.open(dir, 20, r -> { })) {
            assertThat(store.append(batch(R1, R2, R3))).isEqualTo(1);
            assertThat(store.append(batch(R4))).isEqualTo(2);
        }

        assertThat(reopen(20)).containsExactly(
                new Recovered(1, R1), new Recovered(1, R2), new Recovered(1, R3), new Recovered(2, R4));
    }

    @Test
    void anEmptyAppendWritesNothing() throws Exception {
        JournalStore store = open(dir, BIG, new ArrayList<>());

        assertThat(store.append(ByteBuffer.allocate(0))).isEqualTo(1);
        assertThat(store.bytes()).isEqualTo(HEADER);
        assertThat(Files.size(SegmentFiles.path(dir, 1))).isEqualTo(HEADER);
    }

    @Test
    void filesThatAreNotSegmentsAreIgnored() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.writeString(dir.resolve("12.journal"), "not padded");
        Files.writeString(dir.resolve("0000000000000000000x.journal"), "not a number");
        Files.createDirectory(dir.resolve("00000000000000000009.journal"));

        JournalStore store = open(dir, BIG, new ArrayList<>());

        assertThat(store.activeSegment()).isEqualTo(1);
        assertThat(store.bytes()).isEqualTo(HEADER);
    }

    @Test
    void aClosedStoreRefusesAppends() throws Exception {
        JournalStore store = JournalStore.open(dir, BIG, r -> { });
        store.close();
        store.close();

        assertThatThrownBy(() -> store.append(batch(R1))).isInstanceOf(IllegalStateException.class);
    }

    // ---- delete and bytes ----

    @Test
    void deleteRemovesAClosedSegmentAndItsRecordsDoNotComeBack() throws Exception {
        long segmentBytes = HEADER + size(R2);
        try (JournalStore store = JournalStore.open(dir, segmentBytes, r -> { })) {
            store.append(batch(admitted(1, "88")));
            store.append(batch(admitted(2, "88")));
            store.append(batch(admitted(3, "88")));
            store.delete(1);

            assertThat(SegmentFiles.path(dir, 1)).doesNotExist();
            assertThat(store.segments()).containsExactly(2L, 3L);
        }

        assertThat(reopen(segmentBytes)).extracting(r -> r.record().id()).containsExactly(2L, 3L);
    }

    @Test
    void deleteRefusesTheActiveSegmentAndOnesThatDoNotExist() throws Exception {
        JournalStore store = open(dir, BIG, new ArrayList<>());
        store.append(batch(R1));

        assertThatThrownBy(() -> store.delete(1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("active");
        assertThatThrownBy(() -> store.delete(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no segment 7");
        assertThat(SegmentFiles.path(dir, 1)).exists();
    }

    @Test
    void bytesTracksAppendsRollsDeletesAndTruncation() throws Exception {
        int r = size(R2);
        long segmentBytes = HEADER + 2L * r;
        try (JournalStore store = JournalStore.open(dir, segmentBytes, x -> { })) {
            assertThat(store.bytes()).isEqualTo(HEADER);
            store.append(batch(R2));
            assertThat(store.bytes()).isEqualTo(HEADER + r);
            store.append(batch(R2));
            store.append(batch(R2)); // rolls
            assertThat(store.bytes()).isEqualTo(2 * HEADER + 3L * r);
            store.delete(1);
            assertThat(store.bytes()).isEqualTo(HEADER + r);
            store.append(batch(R2));
        }
        truncate(SegmentFiles.path(dir, 2), HEADER + 2L * r - 3);

        JournalStore store = open(dir, segmentBytes, new ArrayList<>());
        assertThat(store.bytes()).isEqualTo(HEADER + r).isEqualTo(sizeOfAllSegments());
    }

    // ---- torn tails: tolerated, cut off, and the journal goes on ----

    @Test
    void aLastRecordCutInItsFrameHeaderIsTruncatedAway() throws Exception {
        long end = writeFourRecords();
        truncate(SegmentFiles.path(dir, 1), end - size(R4) + 5);

        assertTornTailCutTo(end - size(R4), R1, R2, R3);
    }

    @Test
    void aLastRecordCutInItsBodyIsTruncatedAwayAndTheWarningNamesFileAndOffset() throws Exception {
        long end = writeFourRecords();
        long r4 = end - size(R4);
        truncate(SegmentFiles.path(dir, 1), end - 1);

        try (CapturedLog log = new CapturedLog(JournalStore.class)) {
            assertTornTailCutTo(r4, R1, R2, R3);
            assertThat(log.lines()).contains("WARN journal " + SegmentFiles.path(dir, 1) + ": torn record at offset " + r4
                    + " (what a crash leaves behind); truncated to " + r4 + " bytes");
        }
    }

    @Test
    void zerosAfterTheLastRecordAreTruncatedAway() throws Exception {
        long end = writeFourRecords();
        appendBytes(SegmentFiles.path(dir, 1), new byte[4096]);

        assertTornTailCutTo(end, R1, R2, R3, R4);
    }

    @Test
    void aLastRecordTurnedToZerosWithZerosAfterItIsTruncatedAway() throws Exception {
        long end = writeFourRecords();
        long r4 = end - size(R4);
        overwrite(SegmentFiles.path(dir, 1), r4, new byte[size(R4) + 100]);

        assertTornTailCutTo(r4, R1, R2, R3);
    }

    @Test
    void aDamagedRecordThatIsTheLastBytesOfTheFileIsTruncatedAway() throws Exception {
        long end = writeFourRecords();
        flip(SegmentFiles.path(dir, 1), end - 1);

        assertTornTailCutTo(end - size(R4), R1, R2, R3);
    }

    @Test
    void anEmptyLastSegmentGetsItsHeaderBack() throws Exception {
        writeTwoSegments();
        truncate(SegmentFiles.path(dir, 2), 0);

        assertTornTailCutTo(2, HEADER, List.of(new Recovered(1, R1)));
    }

    @Test
    void aTornSegmentHeaderIsRewritten() throws Exception {
        writeTwoSegments();
        truncate(SegmentFiles.path(dir, 2), 5);

        assertTornTailCutTo(2, HEADER, List.of(new Recovered(1, R1)));
    }

    @Test
    void aLastSegmentOfZerosGetsItsHeaderBack() throws Exception {
        writeTwoSegments();
        overwrite(SegmentFiles.path(dir, 2), 0, new byte[HEADER + size(R2) + 20]);

        assertTornTailCutTo(2, HEADER, List.of(new Recovered(1, R1)));
    }

    // ---- damage: refused, and nothing is truncated ----

    @Test
    void aFlippedByteFollowedByValidRecordsRefusesToStartNamingFileOffsetAndWhatToDo() throws Exception {
        writeFourRecords();
        Path file = SegmentFiles.path(dir, 1);
        long r2 = HEADER + size(R1);
        flip(file, r2 + JournalRecords.FRAME_HEADER + 3);
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> reopen(BIG))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.offset()).isEqualTo(r2);
                })
                .hasMessage("journal " + file + " is damaged at offset " + r2 + " (bad checksum) and valid records follow:"
                        + " refusing to start. Move the journal directory aside (its jobs will not run)"
                        + " or restore it from a backup, then start again.");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    /** A length field damaged to run past the end of the file looks torn, but the records after it are whole. */
    @Test
    void aLengthFieldDamagedToRunPastTheEndIsRefusedWhenValidRecordsFollow() throws Exception {
        writeFourRecords();
        long r2 = HEADER + size(R1);
        flip(SegmentFiles.path(dir, 1), r2 + 2);

        assertThatThrownBy(() -> reopen(BIG))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.offset()).isEqualTo(r2))
                .hasMessageContaining("record runs past the end of the file");
    }

    @Test
    void zerosFollowedByValidRecordsAreRefused() throws Exception {
        writeFourRecords();
        long r2 = HEADER + size(R1);
        overwrite(SegmentFiles.path(dir, 1), r2, new byte[size(R2)]);

        assertThatThrownBy(() -> reopen(BIG))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.offset()).isEqualTo(r2))
                .hasMessageContaining("(bad record length 0)");
    }

    @Test
    void aBadHeaderInTheLastSegmentFollowedByValidRecordsIsRefused() throws Exception {
        writeFourRecords();
        overwrite(SegmentFiles.path(dir, 1), 7, "2".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> reopen(BIG))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.offset()).isZero())
                .hasMessageContaining("bad segment header");
    }

    @Test
    void damageInASegmentThatIsNotTheLastIsRefusedEvenWhereItLooksTorn() throws Exception {
        writeTwoSegments();
        Path first = SegmentFiles.path(dir, 1);
        truncate(first, HEADER + size(R1) - 1);

        assertThatThrownBy(() -> reopen(HEADER + size(R1)))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                    assertThat(e.file()).isEqualTo(first);
                    assertThat(e.offset()).isEqualTo(HEADER);
                })
                .hasMessageContaining("(record runs past the end of the file) and later segments follow: refusing to start")
                .hasMessageContaining("Move the journal directory aside");
        assertThat(Files.size(first)).isEqualTo(HEADER + size(R1) - 1);
    }

    @Test
    void aTornHeaderInASegmentThatIsNotTheLastIsRefused() throws Exception {
        writeTwoSegments();
        truncate(SegmentFiles.path(dir, 1), 3);

        assertThatThrownBy(() -> reopen(HEADER + size(R1)))
                .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.offset()).isZero());
    }

    @Test
    void aRefusedOpenLeavesTheDirectoryUnlocked() throws Exception {
        writeFourRecords();
        flip(SegmentFiles.path(dir, 1), HEADER + 9);

        assertThatThrownBy(() -> reopen(BIG)).isInstanceOf(JournalCorruptException.class);
        assertThatThrownBy(() -> reopen(BIG)).isInstanceOf(JournalCorruptException.class);
    }

    // ---- one process per directory ----

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedNamingThisProcess() throws Exception {
        open(dir, BIG, new ArrayList<>());
        long pid = ProcessHandle.current().pid();

        assertThatThrownBy(() -> JournalStore.open(dir, BIG, r -> { }))
                .isInstanceOfSatisfying(JournalLockedException.class, e -> assertThat(e.pid()).hasValue(pid))
                .hasMessage("journal directory " + dir + " is in use by process " + pid);
    }

    @Test
    void theLockFileNamesTheProcessThatHoldsIt() throws Exception {
        open(dir, BIG, new ArrayList<>());

        assertThat(Files.readString(dir.resolve("lock"))).isEqualTo(ProcessHandle.current().pid() + "\n");
    }

    @Test
    void afterCloseTheDirectoryOpensAgain() throws Exception {
        JournalStore.open(dir, BIG, r -> { }).close();

        open(dir, BIG, new ArrayList<>());
    }

    /** Also proves that refusing a second open here did not drop the OS lock (POSIX locks belong to the process). */
    @Test
    void anotherProcessIsRefusedNamingThisProcess() throws Exception {
        open(dir, BIG, new ArrayList<>());
        assertThatThrownBy(() -> JournalStore.open(dir, BIG, r -> { })).isInstanceOf(JournalLockedException.class);

        assertThat(probeFromAnotherProcess())
                .isEqualTo("LOCKED journal directory " + dir + " is in use by process " + ProcessHandle.current().pid());
    }

    @Test
    void anotherProcessOpensTheDirectoryOnceThisOneClosedIt() throws Exception {
        JournalStore.open(dir, BIG, r -> { }).close();

        assertThat(probeFromAnotherProcess()).isEqualTo("OPENED");
    }

    // ---- a disk that fills up ----

    @Test
    void aWriteThatFailsPartWayLeavesTheSegmentAsItWasAndNothingOfTheBatchComesBack() throws Exception {
        FullDisk disk = new FullDisk();
        Path file = SegmentFiles.path(dir, 1);
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { }, disk.opener())) {
            store.append(batch(R1));
            long before = Files.size(file);
            disk.room = size(R2) + 3;
            ByteBuffer failing = batch(R2, R3);

            assertThatThrownBy(() -> store.append(failing)).isInstanceOf(IOException.class).hasMessage("No space left on device");
            assertThat(Files.size(file)).isEqualTo(before);
            assertThat(store.bytes()).isEqualTo(before);
            assertThat(failing.position()).isZero();

            disk.room = Long.MAX_VALUE;
            store.append(batch(R4));
        }

        assertThat(records(reopen(BIG))).containsExactly(R1, R4);
    }

    @Test
    void whenTheFailedBatchCannotBeCutOffEveryLaterAppendFailsAndReopenCutsItAsATornTail() throws Exception {
        FullDisk disk = new FullDisk();
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { }, disk.opener())) {
            store.append(batch(R1));
            disk.room = size(R2) + 3;
            disk.truncateFails = true;

            assertThatThrownBy(() -> store.append(batch(R2, R3))).hasMessage("No space left on device");
            disk.room = Long.MAX_VALUE;
            assertThatThrownBy(() -> store.append(batch(R4)))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("journal is unusable after a failed write: No space left on device");
        }

        assertThat(records(reopen(BIG))).containsExactly(R1, R2);
    }

    @Test
    void aRollThatCannotWriteTheNewHeaderKeepsAppendingToTheOldSegmentUntilItCan() throws Exception {
        FullDisk disk = new FullDisk();
        long segmentBytes = HEADER + size(R2);
        try (JournalStore store = JournalStore.open(dir, segmentBytes, r -> { }, disk.opener())) {
            store.append(batch(R2));
            disk.room = 3;

            assertThatThrownBy(() -> store.append(batch(R2))).hasMessage("No space left on device");
            assertThat(SegmentFiles.path(dir, 2)).doesNotExist();
            assertThat(store.activeSegment()).isEqualTo(1);
            assertThat(store.bytes()).isEqualTo(segmentBytes);

            disk.room = Long.MAX_VALUE;
            assertThat(store.append(batch(R4))).isEqualTo(2);
        }

        assertThat(reopen(segmentBytes)).containsExactly(new Recovered(1, R2), new Recovered(2, R4));
    }

    // ---- helpers ----

    private JournalStore open(Path directory, long segmentBytes, List<Recovered> sink) throws Exception {
        JournalStore store = JournalStore.open(directory, segmentBytes, sink::add);
        opened.add(store);
        return store;
    }

    private List<Recovered> reopen(long segmentBytes) throws Exception {
        List<Recovered> recovered = new ArrayList<>();
        JournalStore.open(dir, segmentBytes, recovered::add).close();
        return recovered;
    }

    private static List<JournalRecord> records(List<Recovered> recovered) {
        return recovered.stream().map(Recovered::record).toList();
    }

    /** R1..R4, one batch each, in segment 1; returns the file's length. */
    private long writeFourRecords() throws Exception {
        try (JournalStore store = JournalStore.open(dir, BIG, r -> { })) {
            for (JournalRecord record : List.of(R1, R2, R3, R4)) {
                store.append(batch(record));
            }
        }
        return Files.size(SegmentFiles.path(dir, 1));
    }

    /** R1 in segment 1 and R2 in segment 2. */
    private void writeTwoSegments() throws Exception {
        try (JournalStore store = JournalStore.open(dir, HEADER + size(R1), r -> { })) {
            store.append(batch(R1));
            assertThat(store.append(batch(R2))).isEqualTo(2);
        }
    }

    private void assertTornTailCutTo(long length, JournalRecord... survivors) throws Exception {
        List<Recovered> expected = new ArrayList<>();
        for (JournalRecord record : survivors) {
            expected.add(new Recovered(1, record));
        }
        assertTornTailCutTo(1, length, expected);
    }

    /** Opening cuts the last segment to {@code length}; the next append follows the survivors and comes back too. */
    private void assertTornTailCutTo(long lastSegment, long length, List<Recovered> survivors) throws Exception {
        List<Recovered> recovered = new ArrayList<>();
        JournalRecord next = completed(99);
        try (JournalStore store = JournalStore.open(dir, BIG, recovered::add)) {
            assertThat(recovered).isEqualTo(survivors);
            assertThat(Files.size(SegmentFiles.path(dir, lastSegment))).isEqualTo(length);
            assertThat(store.bytes()).isEqualTo(sizeOfAllSegments());
            assertThat(store.append(batch(next))).isEqualTo(lastSegment);
        }
        List<Recovered> expected = new ArrayList<>(survivors);
        expected.add(new Recovered(lastSegment, next));
        assertThat(reopen(BIG)).isEqualTo(expected);
    }

    private long sizeOfAllSegments() throws IOException {
        long total = 0;
        for (long segment : SegmentFiles.list(dir)) {
            total += Files.size(SegmentFiles.path(dir, segment));
        }
        return total;
    }

    private String probeFromAnotherProcess() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    static void overwrite(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf, offset + buf.position());
            }
        }
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private static void flip(Path file, long offset) throws IOException {
        byte[] all = Files.readAllBytes(file);
        overwrite(file, offset, new byte[]{(byte) (all[(int) offset] ^ 0x10)});
    }
}
