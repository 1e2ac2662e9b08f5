package io.dispatchd.server.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.dispatchd.server.journal.SegmentFiles.HEADER_SIZE;

/**
 * A journal directory: segment files of framed records (see {@link JournalRecords}, {@link SegmentFiles}) and the
 * lock that keeps a second process out. It recovers the records at open, appends batches to the newest segment,
 * rolls to a new one past a size, and deletes old ones on request; what to append, when to fsync and which
 * segments are no longer needed is the caller's business.
 *
 * <p><b>Not thread-safe:</b> the caller serialises every call, including {@link #close()}.
 *
 * <p>Recovery treats all segments as one sequence of records. A crash can only tear the end of what was being
 * written, so a defect is tolerated, and cut off, only in the last segment and only when no valid record follows
 * it; anything else is damage that truncation would turn into lost jobs, and {@link #open} refuses.
 */
public final class JournalStore implements AutoCloseable {

    /** A record found at open, and the segment that holds it (so the caller knows when a segment can go). */
    public record Recovered(long segment, JournalRecord record) {
    }

    private static final Logger log = LoggerFactory.getLogger(JournalStore.class);

    private final Path directory;
    private final long segmentBytes;
    private final ChannelOpener opener;
    private final DirectoryLock lock;
    /** Sequence number to size of every segment but the active one. */
    private final TreeMap<Long, Long> closedSegments = new TreeMap<>();

    private long activeSegment;
    private FileChannel active;
    private long activeSize;
    private long bytes;
    /** Set when a failed append could not be cut off again: the segment may hold a partial batch. */
    private String unusableBecause;
    private boolean closed;

    private JournalStore(Path directory, long segmentBytes, ChannelOpener opener, DirectoryLock lock) {
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.opener = opener;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (creating it if missing), hands every recovered record in order to {@code sink}, cuts off a
     * torn tail, and opens the newest segment for appending (segment 1 in a new journal). If it throws
     * {@link JournalCorruptException}, {@code sink} may already have seen the records before the damage; nothing has
     * been truncated.
     *
     * @param segmentBytes the size past which {@link #append} starts a new segment (a single batch larger than this
     *                     still goes into one segment)
     */
    public static JournalStore open(Path dir, long segmentBytes, Consumer<Recovered> sink)
            throws IOException, JournalLockedException, JournalCorruptException {
        return open(dir, segmentBytes, sink, ChannelOpener.REAL);
    }

    /** {@link #open(Path, long, Consumer)} with segment files opened through {@code opener}: the tests' seam. */
    static JournalStore open(Path dir, long segmentBytes, Consumer<Recovered> sink, ChannelOpener opener)
            throws IOException, JournalLockedException, JournalCorruptException {
        if (segmentBytes <= HEADER_SIZE) {
            throw new IllegalArgumentException("segment size must exceed the " + HEADER_SIZE + "-byte header: " + segmentBytes);
        }
        Objects.requireNonNull(sink, "sink");
        Files.createDirectories(dir);
        DirectoryLock lock = DirectoryLock.acquire(dir);
        JournalStore store = new JournalStore(dir, segmentBytes, opener, lock);
        boolean opened = false;
        try {
            store.recover(sink);
            opened = true;
            return store;
        } finally {
            if (!opened) {
                store.closeQuietly();
            }
        }
    }

    private void recover(Consumer<Recovered> sink) throws IOException, JournalCorruptException {
        List<Long> sequences = SegmentFiles.list(directory);
        for (int i = 0; i < sequences.size() - 1; i++) {
            long sequence = sequences.get(i);
            Path file = SegmentFiles.path(directory, sequence);
            try (FileChannel channel = opener.open(file, StandardOpenOption.READ)) {
                SegmentScanner scanner = new SegmentScanner(channel);
                SegmentScanner.Defect defect = scanner.scan(record -> sink.accept(new Recovered(sequence, record)));
                if (defect != null) {
                    throw new JournalCorruptException(file, defect.offset(), defect.what(), "later segments follow");
                }
                closedSegments.put(sequence, scanner.size());
                bytes += scanner.size();
            }
        }
        if (sequences.isEmpty()) {
            startSegment(1);
        } else {
            recoverLastSegment(sequences.get(sequences.size() - 1), sink);
        }
        log.debug("journal {}: {} segments, {} bytes, appending to segment {}",
                directory, closedSegments.size() + 1, bytes, activeSegment);
    }

    private void recoverLastSegment(long sequence, Consumer<Recovered> sink) throws IOException, JournalCorruptException {
        Path file = SegmentFiles.path(directory, sequence);
        active = opener.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        activeSegment = sequence;
        SegmentScanner scanner = new SegmentScanner(active);
        SegmentScanner.Defect defect = scanner.scan(record -> sink.accept(new Recovered(sequence, record)));
        long end = scanner.size();
        if (defect != null) {
            if (scanner.validRecordStartsAfter(defect.offset())) {
                throw new JournalCorruptException(file, defect.offset(), defect.what(), "valid records follow");
            }
            end = cutTornTail(file, defect);
        }
        active.position(end);
        activeSize = end;
        bytes += end;
    }

    /** Cuts the last segment at a torn record, or rewrites a torn header; returns the new size. */
    private long cutTornTail(Path file, SegmentScanner.Defect defect) throws IOException {
        long offset = defect.offset();
        if (offset < HEADER_SIZE) {
            log.warn("journal {}: torn segment header ({}; what a crash leaves behind); header rewritten", file, defect.what());
            active.truncate(0);
            SegmentFiles.writeHeader(active);
        } else {
            log.warn("journal {}: torn record at offset {} (what a crash leaves behind); truncated to {} bytes",
                    file, offset, offset);
            active.truncate(offset);
        }
        active.force(false);
        return Math.max(offset, HEADER_SIZE);
    }

    /**
     * Writes all remaining bytes of {@code records} (whole framed records; the caller never splits a batch) at the end
     * of the active segment, first rolling to a new segment if the active one holds records and would grow past the
     * segment size. Nothing is fsynced: see {@link #force()}.
     *
     * <p>If the write fails, the segment is cut back to its length before the call (so a partial batch never stands
     * in front of later records), {@code records} gets its position back, and the exception is rethrown. If even
     * the cut fails, every later append throws.
     *
     * @return the sequence number of the segment the records went into
     */
    public long append(ByteBuffer records) throws IOException {
        checkOpen();
        if (unusableBecause != null) {
            throw new IOException("journal is unusable after a failed write: " + unusableBecause);
        }
        int length = records.remaining();
        if (length == 0) {
            return activeSegment;
        }
        if (activeSize > HEADER_SIZE && activeSize + length > segmentBytes) {
            roll();
        }
        int start = records.position();
        try {
            while (records.hasRemaining()) {
                active.write(records);
            }
        } catch (IOException e) {
            records.position(start);
            cutBack(e);
            throw e;
        }
        activeSize += length;
        bytes += length;
        return activeSegment;
    }

    private void cutBack(IOException writeFailure) {
        try {
            active.truncate(activeSize);
            active.position(activeSize);
        } catch (IOException e) {
            writeFailure.addSuppressed(e);
            unusableBecause = writeFailure.getMessage() + "; cutting segment " + activeSegment + " back to "
                    + activeSize + " bytes failed too: " + e.getMessage();
            log.error("journal {}: {}", directory, unusableBecause);
        }
    }

    /** Seals the active segment (durably: fsync) and continues in a new one. */
    private void roll() throws IOException {
        active.force(false);
        FileChannel sealed = active;
        long sealedSegment = activeSegment;
        long sealedSize = activeSize;
        startSegment(sealedSegment + 1);
        closedSegments.put(sealedSegment, sealedSize);
        try {
            sealed.close();
        } catch (IOException e) {
            log.debug("journal {}: closing sealed segment {} failed after its fsync", directory, sealedSegment, e);
        }
    }

    /**
     * Creates segment {@code sequence} with its header, makes its name durable, and makes it the active segment. If
     * that fails, the file is removed again and the active segment stays what it was. (A file left behind by a
     * failed removal is the newest segment, with a torn header at most: the next roll or open rewrites it.)
     */
    private void startSegment(long sequence) throws IOException {
        Path file = SegmentFiles.path(directory, sequence);
        FileChannel channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            SegmentFiles.writeHeader(channel);
            SegmentFiles.syncDirectory(directory);
        } catch (IOException e) {
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        active = channel;
        activeSegment = sequence;
        activeSize = HEADER_SIZE;
        bytes += HEADER_SIZE;
    }

    /** fsyncs the active segment (data, and the size that makes it readable: {@code force(false)}). */
    public void force() throws IOException {
        checkOpen();
        active.force(false);
    }

    /**
     * An fsync of the active segment as it is now, to run later without the caller's lock, so that
     * appends go on meanwhile. If the segment is sealed before it runs, it throws
     * {@link java.nio.channels.ClosedChannelException}: the roll that sealed it fsynced it already.
     */
    public Fsync fsyncLater() {
        checkOpen();
        FileChannel segment = active;
        return () -> segment.force(false);
    }

    /** See {@link #fsyncLater}. */
    @FunctionalInterface
    public interface Fsync {
        void run() throws IOException;
    }

    /**
     * Deletes a segment that is no longer needed (all its jobs completed) and fsyncs the directory.
     *
     * @throws IllegalArgumentException for the active segment, or a sequence number that is no segment of this store
     */
    public void delete(long segment) throws IOException {
        checkOpen();
        if (segment == activeSegment) {
            throw new IllegalArgumentException("segment " + segment + " is the active one: appends still go there");
        }
        Long size = closedSegments.get(segment);
        if (size == null) {
            throw new IllegalArgumentException("journal " + directory + " has no segment " + segment);
        }
        Files.delete(SegmentFiles.path(directory, segment));
        closedSegments.remove(segment);
        bytes -= size;
        SegmentFiles.syncDirectory(directory);
    }

    /** The total size of all segment files, headers included: a running total, not a directory listing. */
    public long bytes() {
        return bytes;
    }

    /** The sequence number of the segment appends go to. */
    public long activeSegment() {
        return activeSegment;
    }

    /** The sequence numbers of all segments, ascending; the last is the active one. */
    public List<Long> segments() {
        List<Long> all = new ArrayList<>(closedSegments.keySet());
        all.add(activeSegment);
        return Collections.unmodifiableList(all);
    }

    public Path directory() {
        return directory;
    }

    /**
     * Closes the active segment and releases the directory lock. It does not fsync: call {@link #force()} first if
     * the last appends must survive a power loss.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (active != null) {
                active.close();
            }
        } finally {
            lock.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            log.debug("journal {}: closing after a failed open failed too", directory, e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("journal " + directory + " is closed");
        }
    }
}
