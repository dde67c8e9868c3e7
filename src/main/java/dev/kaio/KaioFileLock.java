package dev.kaio;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;

/**
 * An open-file-description lock held through a {@link KaioFileChannel}: valid until released or until
 * the channel closes (closing the descriptor drops every OFD lock on it).
 */
final class KaioFileLock extends FileLock {

    private final KaioFileChannel channel;
    private final FileLocks.Range range;
    private volatile boolean released;

    KaioFileLock(KaioFileChannel channel, FileLocks.Range range, boolean shared) {
        super(channel, range.position, range.size, shared);
        this.channel = channel;
        this.range = range;
    }

    @Override
    public boolean isValid() {
        return !released && channel.isOpen();
    }

    /**
     * Unlocks the range (F_UNLCK on the pinned descriptor). As the JDK's: ClosedChannelException once
     * the channel is closed, also while a close() runs; a no-op on a lock already released.
     */
    @Override
    public synchronized void release() throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        if (!released) {
            channel.unlock(range);
            released = true;
        }
    }
}
