package io.dispatchd.server.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A disk that fills up on command: segment channels opened through {@link #opener()} write until {@link #room}
 * bytes are used up, write those partially, and then fail the way a full disk does.
 */
final class FullDisk {

    /** Bytes that may still be written, over all channels; {@code Long.MAX_VALUE} is an empty disk. */
    long room = Long.MAX_VALUE;

    /** Whether {@code truncate} fails too (then the store cannot cut a partial batch off). */
    boolean truncateFails;

    /** Whether {@code force} (fsync) fails, as it does after a disk error; the sync thread reads it too. */
    volatile boolean forceFails;

    ChannelOpener opener() {
        return (path, options) -> new Channel(FileChannel.open(path, options));
    }

    private int allow(ByteBuffer src) throws IOException {
        if (room == 0 && src.hasRemaining()) {
            throw new IOException("No space left on device");
        }
        return (int) Math.min(room, src.remaining());
    }

    private final class Channel extends FileChannel {

        private final FileChannel real;

        Channel(FileChannel real) {
            this.real = real;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = allow(src);
            int limit = src.limit();
            src.limit(src.position() + n);
            try {
                int written = real.write(src);
                room -= written;
                return written;
            } finally {
                src.limit(limit);
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int n = allow(src);
            int limit = src.limit();
            src.limit(src.position() + n);
            try {
                int written = real.write(src, position);
                room -= written;
                return written;
            } finally {
                src.limit(limit);
            }
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException("the journal writes one buffer at a time");
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (truncateFails) {
                throw new IOException("Input/output error");
            }
            real.truncate(size);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (forceFails) {
                throw new IOException("Input/output error (fsync)");
            }
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
