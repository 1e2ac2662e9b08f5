package io.dispatchd.server.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One process per journal directory: an OS lock on the file {@code lock}, which holds the holder's pid so that a
 * second process can say who is in the way.
 *
 * <p>The lock is POSIX {@code fcntl} on Linux, which belongs to the process, not the channel: closing <em>any</em>
 * descriptor of the lock file in this JVM would silently drop it. So a directory this JVM already holds is refused
 * from a JVM-wide set, before the lock file is opened a second time.
 */
final class DirectoryLock implements AutoCloseable {

    static final String FILE_NAME = "lock";

    private static final Set<Path> HELD_BY_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dir} (which must exist) and writes this process's pid into its lock file. */
    static DirectoryLock acquire(Path dir) throws IOException, JournalLockedException {
        Path key = dir.toRealPath();
        if (!HELD_BY_THIS_JVM.add(key)) {
            throw new JournalLockedException(dir, OptionalLong.of(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve(FILE_NAME),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new JournalLockedException(dir, readPid(channel));
            }
            ByteBuffer pid = ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
            channel.truncate(0);
            while (pid.hasRemaining()) {
                channel.write(pid, pid.position());
            }
            DirectoryLock acquired = new DirectoryLock(key, channel, lock);
            channel = null;
            return acquired;
        } finally {
            if (channel != null) {
                HELD_BY_THIS_JVM.remove(key);
                closeQuietly(channel);
            }
        }
    }

    /** The pid the holder wrote, read through our own channel (a new descriptor would be one more to close). */
    private static OptionalLong readPid(FileChannel channel) {
        try {
            ByteBuffer bytes = ByteBuffer.allocate(32);
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
                // keep reading: a pid is a few bytes
            }
            String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).trim();
            return OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was locked through it
        }
    }

    /** Releases the lock; the lock file stays, with a pid nobody holds any more. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } finally {
            HELD_BY_THIS_JVM.remove(key);
        }
    }
}
