package io.dispatchd.server.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How {@link JournalStore} opens its segment files: {@link FileChannel#open}, or in tests a channel that fails. */
@FunctionalInterface
interface ChannelOpener {

    ChannelOpener REAL = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
